import { OrderSide } from '../model/enums.js';
import type { BacktestReport, ReportInput } from './BacktestReport.js';
import { chartDownsample } from './chartDownsample.js';
import {
  FIGURE_CSS,
  PAGE_CSS,
  TABLE_CSS,
  dataTable,
  dataTableCss,
  equityChart,
  htmlPage,
  kvTable,
} from './htmlPage.js';
import { duration, fixed, fmtNum, fmtTime, moneyDigits, moneyText, num, pct } from './reportFormat.js';
import { BUY_COLOR, SELL_COLOR, escapeXml, svgLineChart } from './svgChart.js';
import type { ChartMarker } from './svgChart.js';

/** Most price points drawn per symbol (min and max of each bucket kept). */
export const HTML_PRICE_POINTS = 2000;
/** Rows of the trade table; the JSON report has them all. */
export const HTML_TRADE_ROWS = 500;
/** Fill markers drawn per symbol; beyond this a chart is a smear and the file grows large. */
export const HTML_MARKERS_PER_SYMBOL = 5000;

const PRICE_COLOR = '#475569';

/**
 * The report as one self-contained HTML page: statistics, equity and drawdown charts, a
 * price chart per symbol with the fills as ▲ buy / ▼ sell markers, and the trade list.
 * No script, font, stylesheet or image is loaded from anywhere: it opens offline and can
 * be mailed as an attachment. All text from the run (strategy name, params, symbols,
 * warnings) is escaped. Deterministic: the same report gives the same bytes.
 */
export function renderHtmlReport(report: BacktestReport, prices?: ReportInput['prices']): string {
  const esc = escapeXml;
  const title = `Backtest report: ${report.strategy}`;
  const period =
    report.startTs !== null && report.endTs !== null
      ? `${fmtTime(report.startTs)} → ${fmtTime(report.endTs)} UTC`
      : 'no bars';
  const meta = [
    `Symbols: ${report.symbols.join(', ') || '—'}`,
    `Timeframe: ${report.timeframe}`,
    period,
    `Seed: ${report.seed}`,
  ];

  const sections: string[] = [statsSection(report)];
  if (report.warnings.length > 0) {
    sections.push(
      `<section class="warnings"><h2>Warnings</h2><ul>${report.warnings
        .map((w) => `<li>${esc(w)}</li>`)
        .join('')}</ul></section>`,
    );
  }
  sections.push(equitySection(report), drawdownSection(report), pricesSection(report, prices));
  sections.push(tradesSection(report), runSection(report));
  return htmlPage(title, meta, sections, CSS);
}

function statsSection(r: BacktestReport): string {
  const cur = r.currency;
  const money = (v: number | null, currency: string): string => moneyText(v, currency, r.initialCash);
  const performance: [string, string][] = [
    ['Initial cash', money(r.initialCash, cur)],
    ['Final equity', money(r.finalEquity, cur)],
    ['Total return', pct(r.totalReturn)],
    ['CAGR', pct(r.cagr)],
    ['Volatility (ann.)', pct(r.volatility)],
    ['Sharpe', num(r.sharpe, 2)],
    ['Sortino', num(r.sortino, 2)],
    ['Calmar', num(r.calmar, 2)],
    ['Max drawdown', pct(r.maxDrawdown)],
    ['Max DD duration', `${duration(r.maxDrawdownDurationMs)} (${r.maxDrawdownDurationBars} bars)`],
    ['Exposure', pct(r.exposure)],
    ['Bars', String(r.bars)],
    ['Periods per year', num(r.periodsPerYear, 2)],
  ];
  const trading: [string, string][] = [
    ['Orders filled', `${r.orders} of ${r.ordersTotal}`],
    ['Orders denied', String(r.ordersDenied)],
    ['Orders open at the end', String(r.ordersOpen)],
    ['Orders partly filled', partlyFilled(r)],
    [
      'Orders refused',
      Object.entries(r.ordersRefused)
        .map(([code, n]) => `${code} ×${n}`)
        .join(', ') || 'none',
    ],
    ['Closed trades', String(r.trades)],
    ['Open trades', String(r.openTrades)],
    ['Win rate', pct(r.winRate)],
    // null when no trade lost: infinite if some trade won, undefined (0 ÷ 0) if all broke even.
    [
      'Profit factor',
      r.profitFactor === null ? ((r.bestTrade ?? 0) > 0 ? '∞ (no losses)' : '—') : num(r.profitFactor, 2),
    ],
    ['Expectancy', money(r.expectancy, cur)],
    ['Best trade', money(r.bestTrade, cur)],
    ['Worst trade', money(r.worstTrade, cur)],
    ['Avg bars held', num(r.avgBarsHeld, 1)],
    ['Fees paid', money(r.feesPaid, cur)],
  ];
  return `<section><h2>Statistics</h2><div class="grid">${kvTable('Performance', performance)}${kvTable(
    'Trading',
    trading,
  )}</div><p class="note">${escapeXml(STATS_NOTE)}</p></section>`;
}

/** How the figures are defined (computeStats, stats.ts), for a reader without the source. */
const STATS_NOTE =
  'Volatility, Sharpe and Sortino are annualized by √(periods per year), a figure counted from ' +
  'the bars (intervals ÷ years of 365.25 days spanned: about 252 for daily stock bars, 365 for ' +
  'daily crypto bars); returns are bar to bar, less the risk-free rate per bar for Sharpe and ' +
  "Sortino. Sortino's downside deviation has target 0 and divides by every period, not only " +
  'the losing ones. CAGR annualizes the total return over the time spanned, even a span shorter ' +
  'than a year. Calmar = CAGR ÷ max drawdown. A drawdown lasts from a peak to the first bar back ' +
  'at or above it, or to the last bar if it has not recovered. Win rate, profit factor and ' +
  'expectancy are over closed round trips, net of fees; exposure is the share of bars that end ' +
  'with a position.';

function equitySection(r: BacktestReport): string {
  return `<section><h2>Equity</h2>${equityChart(`Equity (${r.currency})`, r.equityCurve, r.initialCash)}</section>`;
}

function drawdownSection(r: BacktestReport): string {
  // The curve keeps each bucket's min, max and deepest fall with its peak (equityDownsample),
  // so this chart's deepest drawdown is maxDrawdown of the full curve.
  const ts: number[] = [];
  const dd: number[] = [];
  let peak = -Infinity;
  for (const p of r.equityCurve) {
    if (p.equity > peak) peak = p.equity;
    ts.push(p.ts);
    // As maxDrawdown counts it: a fall below zero equity is a total loss, −100 % and no deeper.
    dd.push(peak > 0 ? Math.max(-100, (p.equity / peak - 1) * 100) : p.equity < peak ? -100 : 0);
  }
  const svg = svgLineChart({
    title: 'Drawdown (%)',
    series: [{ x: ts, y: dd, color: SELL_COLOR, fillTo: 0 }],
    yInclude: [0],
    yFormat: (v) => `${Number(v.toPrecision(6))}%`,
    height: 200,
  });
  return `<section><h2>Drawdown</h2>${svg}</section>`;
}

function pricesSection(r: BacktestReport, prices: ReportInput['prices']): string {
  if (prices === undefined || prices.length === 0) {
    return '<section><h2>Prices and trades</h2><p class="note">No price series were passed to the report; price charts are omitted.</p></section>';
  }
  const charts = prices.map((p) => {
    const idx = chartDownsample(p.close, HTML_PRICE_POINTS);
    const x = idx.map((i) => p.ts[i] as number);
    const y = idx.map((i) => p.close[i] as number);
    const fills = r.fills.filter((f) => f.symbol === p.symbol);
    const shown = fills.slice(0, HTML_MARKERS_PER_SYMBOL);
    const markers: ChartMarker[] = shown.map((f) => ({
      x: f.ts,
      y: f.price,
      kind: f.side === OrderSide.BUY ? 'buy' : 'sell',
      title: `${f.side} ${fmtNum(f.quantity)} ${f.symbol} @ ${fmtNum(f.price)} · ${fmtTime(f.ts)} · ${f.strategyId}`,
    }));
    const svg = svgLineChart({
      title: `${p.symbol} close with fills`,
      series: [{ x, y, color: PRICE_COLOR }],
      markers,
    });
    const note =
      fills.length > shown.length
        ? `<p class="note">Showing the first ${shown.length} of ${fills.length} fills.</p>`
        : '';
    return `<h3>${escapeXml(p.symbol)}</h3>${svg}${note}`;
  });
  const legend = `<p class="legend"><span style="color:${BUY_COLOR}">▲ buy</span> <span style="color:${SELL_COLOR}">▼ sell</span></p>`;
  return `<section><h2>Prices and trades</h2>${legend}${charts.join('')}</section>`;
}

function tradesSection(r: BacktestReport): string {
  const trips = r.tradeList;
  if (trips.length === 0) return '<section><h2>Trades</h2><p class="note">No trades.</p></section>';
  const head = [
    '#',
    'Symbol',
    'Strategy',
    'Side',
    'Entry',
    'Entry price',
    'Exit',
    'Exit price',
    'Quantity',
    'PnL',
    'Return',
    'Bars',
    'Fees',
    'Status',
  ];
  const digits = moneyDigits(r.initialCash);
  const shown = trips.slice(0, HTML_TRADE_ROWS);
  const rows = shown.map((t, i) => [
    String(i + 1),
    t.symbol,
    t.strategyId,
    t.side === OrderSide.BUY ? 'long' : 'short',
    fmtTime(t.entryTs),
    fmtNum(t.entryPrice),
    fmtTime(t.exitTs),
    fmtNum(t.exitPrice),
    fmtNum(t.quantity),
    fixed(t.pnl, digits),
    pct(t.returnPct),
    String(t.barsHeld),
    fixed(t.fees, digits),
    t.closed ? 'closed' : 'open (marked)',
  ]);
  // Every row has a class attribute, empty on a break-even trade.
  const rowClass = (i: number): string => {
    const pnl = shown[i]?.pnl ?? 0;
    return pnl > 0 ? 'pos' : pnl < 0 ? 'neg' : '';
  };
  const note =
    trips.length > HTML_TRADE_ROWS
      ? `<p class="note">Showing the first ${HTML_TRADE_ROWS} of ${trips.length} round trips; the JSON report lists them all.</p>`
      : '';
  return `<section><h2>Trades</h2>${note}${dataTable(head, rows, { tableClass: 'trades', rowClass })}</section>`;
}

function rate(x: number | null): string {
  return x === null ? 'venue schedule' : String(x);
}

function slippageText(s: BacktestReport['slippage']): string {
  if (s.kind === 'bps') return `${s.bps} bps`;
  if (s.kind === 'spread') return `half of a ${s.spreadBps} bps spread`;
  return 'none';
}

function runSection(r: BacktestReport): string {
  const rows: [string, string][] = [
    ['Strategy', r.strategy],
    ['Symbols', r.symbols.join(', ')],
    ['Timeframe', r.timeframe],
    ['Fill model', r.fill],
    ['Commission', r.commission === null ? 'venue schedule' : String(r.commission)],
    ['Maker / taker fee', `${rate(r.makerFee)} / ${rate(r.takerFee)}`],
    ['Slippage', slippageText(r.slippage)],
    ['Currency', r.currency],
    ['Seed', String(r.seed)],
    ['Risk-free rate', pct(r.riskFreeRate)],
    ['Final equity (exact)', r.finalEquityExact],
    ['Trade log SHA-256', r.tradeLogSha256],
    ['Data files', r.dataFiles.join('\n')],
  ];
  return `<section><h2>Run</h2><table class="kv"><tbody>${rows
    .map(([k, v]) => `<tr><th scope="row">${escapeXml(k)}</th><td class="mono">${escapeXml(v)}</td></tr>`)
    .join('')}</tbody></table><h3>Parameters</h3><pre>${escapeXml(
    JSON.stringify(r.params, null, 2),
  )}</pre></section>`;
}

const CSS = [
  ...PAGE_CSS,
  'h3{font-size:14px;margin:16px 0 4px}',
  '.meta,.note,.legend{color:var(--muted);margin:4px 0}',
  ...TABLE_CSS,
  '.kv td.mono{text-align:left;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap;overflow-wrap:anywhere}',
  ...dataTableCss('trades'),
  `.trades tr.pos td:nth-child(10){color:${BUY_COLOR}}`,
  `.trades tr.neg td:nth-child(10){color:${SELL_COLOR}}`,
  '.warnings li{color:#b45309}',
  ...FIGURE_CSS,
].join('\n');

/** Orders filled in part, said apart from the filled and the unfilled ones (as the CLI summary does). */
function partlyFilled(r: BacktestReport): string {
  const closed = r.ordersPartlyFilled;
  const open = r.ordersOpenPartlyFilled;
  if (closed + open === 0) return 'none';
  return [
    closed > 0 ? `${closed} then canceled or expired` : '',
    open > 0 ? `${open} still open at the end` : '',
  ]
    .filter((p) => p !== '')
    .join(', ');
}
