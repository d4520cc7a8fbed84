import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/backtest/BacktestReport.js';
import type { ReportInput } from '../../src/backtest/BacktestReport.js';
import { renderHtmlReport } from '../../src/backtest/htmlReport.js';
import { svgLineChart } from '../../src/backtest/svgChart.js';
import type { RoundTrip } from '../../src/backtest/types.js';
import { OrderSide } from '../../src/model/enums.js';
import { reportInput } from './support/reportInput.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

function input(equity: number[], over: Partial<ReportInput> = {}): ReportInput {
  const ts = Float64Array.from(equity, (_, i) => T0 + i * DAY);
  return reportInput({
    params: {},
    symbols: ['ORCL'],
    dataFiles: [],
    seed: 1,
    fill: 'close',
    commission: 0,
    makerFee: 0,
    takerFee: 0,
    initialCash: 100,
    currency: 'USD',
    curve: { ts, equity: Float64Array.from(equity) },
    finalEquity: equity.at(-1) ?? 100,
    finalEquityExact: '100',
    ...over,
  });
}

function trip(pnl: number): RoundTrip {
  return {
    symbol: 'ORCL',
    strategyId: 'sma-cross',
    side: OrderSide.BUY,
    entryTs: T0,
    exitTs: T0 + DAY,
    entryPrice: 10,
    exitPrice: 10 + pnl,
    quantity: 1,
    pnl,
    fees: 0,
    returnPct: pnl / 10,
    barsHeld: 1,
    closed: true,
  };
}

/** The text of a statistic's cell in the statistics tables. */
function cell(html: string, label: string): string | undefined {
  return new RegExp(`<th scope="row">${label}</th><td>([^<]*)</td>`).exec(html)?.[1];
}

/** The chart whose title is `title`. */
function chart(html: string, title: string): string {
  const start = html.indexOf(`aria-label="${title}"`);
  return html.slice(start, html.indexOf('</svg>', start));
}

/** The y tick labels of the chart whose title is `title`. */
function yLabels(html: string, title: string): string[] {
  return [...chart(html, title).matchAll(/class="ylab"[^>]*>([^<]*)</g)].map((m) => m[1]!);
}

describe('the HTML report on edge cases', () => {
  it('draws the one point of a one-bar run in each chart, not an invisible path', () => {
    const prices = [{ symbol: 'ORCL', ts: Float64Array.of(T0), close: Float64Array.of(12.5) }];
    const html = renderHtmlReport(buildReport(input([100])), prices);
    // Equity, drawdown and price: each a single point, which a lone "M x,y" path does not show.
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html.match(/<circle /g)).toHaveLength(3);
  });

  it('draws a point cut off by gaps on both sides', () => {
    const svg = svgLineChart({
      title: 'gaps',
      series: [{ x: [1, 2, 3, 4, 5], y: [1, NaN, 2, 3, 4], color: '#000' }],
    });
    // The run 3..5 is a line; the point at x=1 stands alone and is drawn as a dot.
    expect(svg.match(/<path d="M[^"]* L/g)).toHaveLength(1);
    expect(svg.match(/<circle /g)).toHaveLength(1);
  });

  it('gives no profit factor when every trade broke even, and ∞ only when some trade won', () => {
    const even = renderHtmlReport(buildReport(input([100, 100, 100], { trips: [trip(0), trip(0)] })));
    // 0 won ÷ 0 lost is undefined, not infinite.
    expect(cell(even, 'Profit factor')).toBe('—');
    const won = renderHtmlReport(buildReport(input([100, 100, 101], { trips: [trip(0), trip(1)] })));
    expect(cell(won, 'Profit factor')).toBe('∞ (no losses)');
    expect(cell(renderHtmlReport(buildReport(input([100, 100]))), 'Profit factor')).toBe('—');
  });

  it('draws no drawdown deeper than the reported 100 % when equity goes below zero', () => {
    const report = buildReport(input([100, 50, -20, -40]));
    expect(report.maxDrawdown).toBe(1);
    const html = renderHtmlReport(report);
    expect(cell(html, 'Max drawdown')).toBe('100.00 %');
    // The line's lowest point (largest SVG y) sits on the −100 % grid line, not below it.
    const svg = chart(html, 'Drawdown (%)');
    const gridY = Number(/y="([\d.]+)" text-anchor="end" dominant-baseline="middle">-100%</.exec(svg)?.[1]);
    const line = /<path d="(M[^"]+)" fill="none"/.exec(svg)?.[1] ?? '';
    const ys = line.split(' ').map((p) => Number(p.split(',')[1]));
    expect(ys).toHaveLength(4);
    expect(Math.max(...ys)).toBeCloseTo(gridY, 1);
  });

  it('shows the annualization factor the statistics used, with the definitions', () => {
    // Ten weekdays over two weeks: 9 periods in 11 days, so 298.84 a year, counted from the
    // bars rather than assumed (365 would take the weekend days for bars).
    const days = [0, 1, 2, 3, 4, 7, 8, 9, 10, 11].map((d) => T0 + d * DAY);
    const curve = { ts: Float64Array.from(days), equity: Float64Array.from(days, (_, i) => 100 + i) };
    const report = buildReport(input([], { curve }));
    expect(report.periodsPerYear).toBeCloseTo(9 / (11 / 365.25), 9);
    const html = renderHtmlReport(report);
    expect(cell(html, 'Periods per year')).toBe('298.84');
    expect(html).toContain('downside deviation has target 0 and divides by every period');
  });

  it('renders an all-flat run with no trades: flat lines, no NaN', () => {
    const html = renderHtmlReport(buildReport(input([100, 100, 100, 100])));
    expect(html).not.toMatch(/NaN|Infinity|undefined/);
    expect(cell(html, 'Max drawdown')).toBe('0.00 %');
    expect(cell(html, 'Sharpe')).toBe('—');
    expect(cell(html, 'Win rate')).toBe('—');
    expect(yLabels(html, 'Drawdown (%)')).toContain('0%');
  });
  it('escapes a hostile symbol, currency, strategy id and refusal code wherever they appear', () => {
    const bad = '"><svg onload=alert(1)>';
    const fill = {
      ts: T0 + DAY,
      orderId: 'o',
      tradeId: 't',
      strategyId: `s${bad}`,
      symbol: bad,
      side: OrderSide.BUY,
      quantity: 1,
      price: 10,
      fee: 0,
      feeCurrency: bad,
      barIndex: 1,
    };
    const report = buildReport(
      input([100, 100, 101], {
        symbols: [bad],
        currency: `USD${bad}`,
        fills: [fill],
        trips: [{ ...trip(1), symbol: bad, strategyId: `s${bad}`, closed: false }],
        ordersRefused: { [`ERR_X${bad}`]: 1 },
        timeframe: bad,
        dataFiles: [bad],
      }),
    );
    const prices = [
      { symbol: bad, ts: Float64Array.of(T0, T0 + DAY, T0 + 2 * DAY), close: Float64Array.of(9, 10, 11) },
    ];
    const html = renderHtmlReport(report, prices);
    // One real <svg per chart (equity, drawdown, price), none from the text.
    expect(html.match(/<svg/g)).toHaveLength(3);
    expect(html).not.toContain('onload=alert(1)>');
    expect(html.split('&quot;&gt;&lt;svg onload=alert(1)&gt;').length - 1).toBeGreaterThan(8);
    expect(html.match(/<path class="buy"/g)).toHaveLength(1);
  });
});
