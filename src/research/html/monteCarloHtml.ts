import { dataTable, kvTable } from '../../backtest/htmlPage.js';
import { pct } from '../../backtest/reportFormat.js';
import { BUY_COLOR, SELL_COLOR } from '../../backtest/svgChart.js';
import type { Distribution, MonteCarloResult } from '../monteCarlo.js';
import { histogramSvg } from './histogramSvg.js';
import { researchPage } from './researchPage.js';

/** The Monte Carlo result as one self-contained HTML page: percentiles and histograms. */
export function renderMonteCarloHtml(r: MonteCarloResult, title: string): string {
  const row = (name: string, d: Distribution): string[] => [
    name,
    pct(d.p5),
    pct(d.p25),
    pct(d.p50),
    pct(d.p75),
    pct(d.p95),
    pct(d.mean),
  ];
  const table = dataTable(
    ['', '5 %', '25 %', '50 %', '75 %', '95 %', 'mean'],
    [row('Final return', r.finalReturn), row('Max drawdown', r.maxDrawdown)],
  );
  const summary = kvTable('Simulation', [
    ['Method', r.method],
    ['Runs', String(r.runs)],
    ['Trades', String(r.trades)],
    ['Trades per run', String(r.tradesPerRun)],
    ['Seed', String(r.seed)],
    ['Probability of loss', pct(r.probabilityOfLoss)],
    ['Original final return', pct(r.original.finalReturn)],
    ['Original max drawdown', pct(r.original.maxDrawdown)],
  ]);
  const markers = (d: Distribution): { x: number; label: string }[] => [
    { x: d.p5, label: '5%' },
    { x: d.p50, label: '50%' },
    { x: d.p95, label: '95%' },
  ];
  return researchPage(
    `Monte Carlo: ${title}`,
    [`${r.method}, ${r.runs} runs of ${r.tradesPerRun} trades`],
    [
      `<section><h2>Summary</h2><div class="grid">${summary}</div></section>`,
      `<section><h2>Percentiles</h2>${table}<p class="note">Drawdowns are measured on equity after each trade; moves inside a trade are not seen.</p></section>`,
      `<section><h2>Final return</h2>${histogramSvg({ title: 'Final return of each run', values: r.finalReturns, color: BUY_COLOR, format: (v) => pct(v), markers: markers(r.finalReturn) })}</section>`,
      `<section><h2>Max drawdown</h2>${histogramSvg({ title: 'Max drawdown of each run', values: r.maxDrawdowns, color: SELL_COLOR, format: (v) => pct(v), markers: markers(r.maxDrawdown) })}</section>`,
    ],
  );
}
