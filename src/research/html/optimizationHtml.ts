import type { BacktestReport } from '../../backtest/BacktestReport.js';
import { dataTable, equityChart, kvTable } from '../../backtest/htmlPage.js';
import { fmtTime, num, pct } from '../../backtest/reportFormat.js';
import { escapeXml } from '../../backtest/svgChart.js';
import { QtsError } from '../../core/QtsError.js';
import { findObjective, rankByObjective } from '../objectives.js';
import type { OptimizationReport } from '../OptimizationReport.js';
import type { OptimizationRow } from '../optimize.js';
import { heatmapSvg } from './heatmapSvg.js';
import { fmtParams, researchPage } from './researchPage.js';

/** Rows of the results table; the JSON has them all. */
export const HTML_RESULT_ROWS = 500;

/**
 * The optimization report as one self-contained HTML page: the summary, a heatmap of the
 * objective over two parameters (the best value where other parameters vary), the equity
 * curve of the best combination, and the results sorted by the objective.
 */
export function renderOptimizationHtml(
  r: OptimizationReport,
  opts: { readonly best?: BacktestReport; readonly heatmap?: readonly [string, string] } = {},
): string {
  const objective = findObjective(r.objective);
  const ranked = rankByObjective(objective, r.results);
  const meta = [
    `Symbols: ${r.data.symbols.join(', ')}`,
    `Timeframe: ${r.data.timeframe}`,
    `${fmtTime(r.data.startTs)} → ${fmtTime(r.data.endTs)} UTC`,
    `${r.method} search, objective ${objective.label}`,
  ];
  const summary = kvTable('Search', [
    ['Strategy', r.strategy],
    ['Method', r.method],
    ['Objective', `${objective.label} (${objective.maximize ? 'higher' : 'lower'} is better)`],
    [
      'Space',
      `${r.spaceSize} combinations: ${r.space.map((a) => `${a.name} × ${a.values.length}`).join(', ')}`,
    ],
    ['Evaluated', String(r.evaluated)],
    ['Skipped (refused by the strategy)', String(r.skipped)],
    ['Seed', String(r.seed)],
    ['Best', r.best === null ? '—' : fmtParams(r.best.params)],
    ['Best objective', r.best === null ? '—' : fmtObjective(r.objective, r.best.objective)],
  ]);
  const sections = [`<section><h2>Summary</h2><div class="grid">${summary}</div></section>`];
  if (r.skippedExamples.length > 0) {
    sections.push(
      `<section><h2>Skipped combinations</h2><p class="note">The strategy's parameter schema refused ${r.skipped} combinations; for example:</p><ul>${r.skippedExamples
        .map((s) => `<li>${escapeXml(`${fmtParams(s.params)}: ${s.reason}`)}</li>`)
        .join('')}</ul></section>`,
    );
  }
  const axes = opts.heatmap ?? defaultHeatmapAxes(r);
  if (axes !== undefined) sections.push(heatmapSection(r, axes));
  if (opts.best !== undefined) {
    const svg = equityChart(
      `Equity of the best combination (${opts.best.currency})`,
      opts.best.equityCurve,
      opts.best.initialCash,
    );
    sections.push(
      `<section><h2>Best combination: ${escapeXml(fmtParams(opts.best.params))}</h2>${svg}<p class="note">Return ${escapeXml(pct(opts.best.totalReturn))} · Sharpe ${escapeXml(num(opts.best.sharpe))} · max drawdown ${escapeXml(pct(opts.best.maxDrawdown))} · ${opts.best.trades} trades · trade log ${escapeXml(opts.best.tradeLogSha256.slice(0, 16))}…</p></section>`,
    );
  }
  sections.push(resultsSection(r, ranked));
  return researchPage(`Optimization: ${r.strategy}`, meta, sections);
}

/** The first two axes with more than one value. */
function defaultHeatmapAxes(r: OptimizationReport): [string, string] | undefined {
  const varied = r.space.filter((a) => a.values.length > 1);
  if (varied.length < 2) return undefined;
  return [(varied[0] as { name: string }).name, (varied[1] as { name: string }).name];
}

function heatmapSection(r: OptimizationReport, [xName, yName]: readonly [string, string]): string {
  const xAxis = r.space.find((a) => a.name === xName);
  const yAxis = r.space.find((a) => a.name === yName);
  if (xAxis === undefined || yAxis === undefined || xName === yName) {
    throw new QtsError(
      'ERR_OPTIMIZE_BAD_HEATMAP',
      `--heatmap needs two different searched parameters (${r.space.map((a) => a.name).join(', ')}), got ${xName},${yName}`,
    );
  }
  const objective = findObjective(r.objective);
  const values = yAxis.values.map(() => xAxis.values.map((): number | null => null));
  for (const row of r.results) {
    const xi = xAxis.values.indexOf(row.params[xName] as never);
    const yi = yAxis.values.indexOf(row.params[yName] as never);
    const cur = values[yi]?.[xi];
    if (cur === undefined || row.objective === null) continue;
    if (cur === null || (objective.maximize ? row.objective > cur : row.objective < cur))
      (values[yi] as (number | null)[])[xi] = row.objective;
  }
  const others = r.space.filter((a) => a.name !== xName && a.name !== yName && a.values.length > 1);
  const svg = heatmapSvg({
    title: `${objective.label} over ${xName} × ${yName}`,
    xName,
    yName,
    xValues: xAxis.values.map(String),
    yValues: yAxis.values.map(String),
    values,
    higherIsBetter: objective.maximize,
    format: (v) => fmtObjective(r.objective, v),
  });
  const note =
    others.length > 0
      ? `<p class="note">Each cell shows the best ${escapeXml(objective.label)} over ${escapeXml(others.map((a) => a.name).join(', '))}.</p>`
      : '';
  return `<section><h2>${escapeXml(objective.label)} by ${escapeXml(xName)} and ${escapeXml(yName)}</h2>${svg}${note}</section>`;
}

function resultsSection(r: OptimizationReport, ranked: readonly OptimizationRow[]): string {
  const names = r.space.map((a) => a.name);
  const head = [
    '#',
    ...names,
    findObjective(r.objective).label,
    'Return',
    'CAGR',
    'Sharpe',
    'Max DD',
    'Trades',
    'Win rate',
  ];
  const rows = ranked
    .slice(0, HTML_RESULT_ROWS)
    .map((row, i) => [
      String(i + 1),
      ...names.map((n) => String(row.params[n])),
      fmtObjective(r.objective, row.objective),
      pct(row.totalReturn),
      pct(row.cagr),
      num(row.sharpe),
      pct(row.maxDrawdown),
      String(row.trades),
      pct(row.winRate),
    ]);
  const note =
    ranked.length > HTML_RESULT_ROWS
      ? `<p class="note">The best ${HTML_RESULT_ROWS} of ${ranked.length}; the JSON report has every row.</p>`
      : '';
  return `<section><h2>Results by ${escapeXml(findObjective(r.objective).label)}</h2>${note}${dataTable(head, rows, { rowClass: (i) => (i === 0 ? 'best' : undefined) })}</section>`;
}

/** Objectives that are fractions print as percentages. */
export function fmtObjective(objective: string, v: number | null): string {
  if (['return', 'cagr', 'win-rate', 'max-drawdown'].includes(objective)) return pct(v);
  return num(v, objective === 'final-equity' || objective === 'expectancy' ? 2 : 3);
}
