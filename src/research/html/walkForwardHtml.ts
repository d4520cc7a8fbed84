import { dataTable, equityChart, kvTable } from '../../backtest/htmlPage.js';
import { fmtTime, num, pct } from '../../backtest/reportFormat.js';
import { findObjective } from '../objectives.js';
import type { WalkForwardReport } from '../walkForward.js';
import { fmtObjective } from './optimizationHtml.js';
import { fmtParams, researchPage } from './researchPage.js';

/** The walk-forward report as one self-contained HTML page: OOS statistics, stitched OOS equity, windows. */
export function renderWalkForwardHtml(r: WalkForwardReport): string {
  const objective = findObjective(r.objective);
  const s = r.oos.stats;
  const meta = [
    `Symbols: ${r.data.symbols.join(', ')}`,
    `Timeframe: ${r.data.timeframe}`,
    `${r.windowSpec.mode} windows: ${r.windowSpec.inSample} in-sample + ${r.windowSpec.outOfSample} out-of-sample bars, step ${r.windowSpec.step}`,
    `${r.method} search, objective ${objective.label}`,
  ];
  const summary = kvTable('Out of sample (stitched)', [
    ['Windows', String(r.windows.length)],
    ['Initial equity', num(r.oos.initialEquity)],
    ['Final equity', num(r.oos.finalEquity)],
    ['Total return', pct(s.totalReturn)],
    ['CAGR', pct(s.cagr)],
    ['Sharpe', num(s.sharpe)],
    ['Max drawdown', pct(s.maxDrawdown)],
    ['Closed trades', String(s.trades)],
    ['Win rate', pct(s.winRate)],
    ['Walk-forward efficiency', num(r.efficiency)],
  ]);
  const curve = equityChart('Out-of-sample equity, windows stitched', r.oos.equityCurve, r.oos.initialEquity);
  const head = [
    '#',
    'In sample',
    'Out of sample',
    'Best',
    `IS ${objective.label}`,
    'IS CAGR',
    'OOS return',
    'OOS CAGR',
    'OOS Sharpe',
    'OOS max DD',
    'OOS trades',
    'Efficiency',
  ];
  const rows = r.windows.map((w) => [
    String(w.index + 1),
    `${fmtTime(w.inSample.from)} → ${fmtTime(w.inSample.to)}`,
    `${fmtTime(w.outOfSample.from)} → ${w.outOfSample.to === null ? 'end' : fmtTime(w.outOfSample.to)}`,
    w.best === null ? '— (nothing traded)' : fmtParams(w.best),
    fmtObjective(r.objective, w.inSampleBest?.objective ?? null),
    pct(w.inSampleBest?.cagr ?? null),
    pct(w.oos?.totalReturn ?? null),
    pct(w.oos?.cagr ?? null),
    num(w.oos?.sharpe ?? null),
    pct(w.oos?.maxDrawdown ?? null),
    w.oos === null ? '—' : String(w.oos.trades),
    num(w.efficiency),
  ]);
  const note = r.oos.curveExact
    ? ''
    : '<p class="note">Some out-of-sample windows were longer than a report keeps per-bar equity for; their curves were downsampled (extremes kept), so the stitched Sharpe is approximate.</p>';
  return researchPage(`Walk-forward: ${r.strategy}`, meta, [
    `<section><h2>Summary</h2><div class="grid">${summary}</div><p class="note">Efficiency = out-of-sample CAGR ÷ mean in-sample CAGR of the chosen combinations (near 1: the optimization carries over; near 0 or negative: it fitted noise).</p>${note}</section>`,
    `<section><h2>Out-of-sample equity</h2>${curve}</section>`,
    `<section><h2>Windows</h2>${dataTable(head, rows)}</section>`,
  ]);
}
