import { OrderSide } from '../model/enums.js';
import type { BacktestReport, ReportInput } from './BacktestReport.js';
import { chartDownsample } from './chartDownsample.js';
import { BUY_COLOR, SELL_COLOR, escapeXml, svgLineChart } from './svgChart.js';
import type { ChartMarker } from './svgChart.js';
import { duration, fixed, fmtNum, fmtTime, moneyDigits, moneyText, num, pct } from './reportFormat.js';

/** Most price points drawn per symbol (min and max of each bucket kept). */
export const HTML_PRICE_POINTS = 2000;
/** Rows of the trade table; the JSON report has them all. */
export const HTML_TRADE_ROWS = 500;
/** Fill markers drawn per symbol; beyond this a chart is a smear and the file grows large. */
export const HTML_MARKERS_PER_SYMBOL = 5000;

const EQUITY_COLOR = '#2563eb';
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

  const sections: string[] = [
    `<header><h1>${esc(title)}</h1><p class="meta">${meta.map(esc).join(' · ')}</p></header>`,
    statsSection(report),
  ];
  if (report.warnings.length > 0) {
    sections.push(
      `<section class="warnings"><h2>Warnings</h2><ul>${report.warnings
        .map((w) => `<li>${esc(w)}</li>`)
        .join('')}</ul></section>`,
    );
  }
  sections.push(equitySection(report), drawdownSection(report), pricesSection(report, prices));
  sections.push(tradesSection(report), runSection(report));

  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...sections,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
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
    [
      'Profit factor',
      r.profitFactor === null ? (r.trades > 0 ? '∞ (no losses)' : '—') : num(r.profitFactor, 2),
    ],
    ['Expectancy', money(r.expectancy, cur)],
    ['Best trade', money(r.bestTrade, cur)],
    ['Worst trade', money(r.worstTrade, cur)],
    ['Avg bars held', num(r.avgBarsHeld, 1)],
    ['Fees paid', money(r.feesPaid, cur)],
  ];
  const table = (caption: string, rows: [string, string][]): string =>
    `<table class="kv"><caption>${escapeXml(caption)}</caption><tbody>${rows
      .map(([k, v]) => `<tr><th scope="row">${escapeXml(k)}</th><td>${escapeXml(v)}</td></tr>`)
      .join('')}</tbody></table>`;
  return `<section><h2>Statistics</h2><div class="grid">${table('Performance', performance)}${table(
    'Trading',
    trading,
  )}</div></section>`;
}

function equitySection(r: BacktestReport): string {
  const ts = r.equityCurve.map((p) => p.ts);
  const eq = r.equityCurve.map((p) => p.equity);
  const svg = svgLineChart({
    title: `Equity (${r.currency})`,
    series: [{ x: ts, y: eq, color: EQUITY_COLOR }],
    yInclude: [r.initialCash],
  });
  return `<section><h2>Equity</h2>${svg}</section>`;
}

function drawdownSection(r: BacktestReport): string {
  // The curve keeps each bucket's min and max, so the running peak and the deepest trough
  // are both among its points: this drawdown matches maxDrawdown of the full curve.
  const ts: number[] = [];
  const dd: number[] = [];
  let peak = -Infinity;
  for (const p of r.equityCurve) {
    if (p.equity > peak) peak = p.equity;
    ts.push(p.ts);
    dd.push(peak > 0 ? (p.equity / peak - 1) * 100 : 0);
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
  const rows = trips.slice(0, HTML_TRADE_ROWS).map((t, i) => {
    const cls = t.pnl > 0 ? 'pos' : t.pnl < 0 ? 'neg' : '';
    const cells = [
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
    ];
    return `<tr class="${cls}">${cells.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`;
  });
  const note =
    trips.length > HTML_TRADE_ROWS
      ? `<p class="note">Showing the first ${HTML_TRADE_ROWS} of ${trips.length} round trips; the JSON report lists them all.</p>`
      : '';
  return `<section><h2>Trades</h2>${note}<div class="scroll"><table class="trades"><thead><tr>${head
    .map((h) => `<th>${escapeXml(h)}</th>`)
    .join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`;
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

const CSS = `
:root{color-scheme:light;--fg:#0f172a;--muted:#64748b;--line:#e2e8f0;--bg:#ffffff;--panel:#f8fafc}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1200px;margin:0 auto;padding:24px 16px 48px}
h1{font-size:22px;margin:0 0 4px;overflow-wrap:anywhere}
h2{font-size:17px;margin:32px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:14px;margin:16px 0 4px}
.meta,.note,.legend{color:var(--muted);margin:4px 0}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:16px}
table{border-collapse:collapse;width:100%}
caption{text-align:left;font-weight:600;padding:4px 0}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
.kv th{font-weight:500;color:var(--muted);width:45%}
.kv td{text-align:right;font-variant-numeric:tabular-nums}
.kv td.mono{text-align:left;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap;overflow-wrap:anywhere}
.scroll{overflow-x:auto}
.trades{font-variant-numeric:tabular-nums;white-space:nowrap}
.trades thead th{position:sticky;top:0;background:var(--panel);font-weight:600}
.trades td{text-align:right}
.trades tr.pos td:nth-child(10){color:${BUY_COLOR}}
.trades tr.neg td:nth-child(10){color:${SELL_COLOR}}
.warnings li{color:#b45309}
pre{background:var(--panel);padding:8px;border:1px solid var(--line);overflow-x:auto}
svg.chart{width:100%;height:auto;display:block;background:var(--panel);border:1px solid var(--line);border-radius:4px}
svg.chart text{font-size:11px;fill:var(--muted);font-family:inherit}
svg.chart .gridline{stroke:var(--line);stroke-width:1}
svg.chart .tick{stroke:var(--muted)}
svg.chart .frame{stroke:var(--line)}
`.trim();

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
