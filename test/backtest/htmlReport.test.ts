import { describe, it, expect } from 'vitest';
import { buildReport, stableJson, REPORT_EQUITY_POINTS } from '../../src/backtest/BacktestReport.js';
import { chartDownsample } from '../../src/backtest/chartDownsample.js';
import { HTML_TRADE_ROWS, renderHtmlReport } from '../../src/backtest/htmlReport.js';
import { roundTripsFromFills } from '../../src/backtest/roundTrips.js';
import { computeStats } from '../../src/backtest/stats.js';
import type { FillRecord, RoundTrip } from '../../src/backtest/types.js';
import { OrderSide } from '../../src/model/enums.js';
import { reportInput } from './support/reportInput.js';

const DAY = 86_400_000;

function fillAt(i: number, side: OrderSide, price: number): FillRecord {
  return {
    ts: Date.UTC(2024, 0, 1) + i * DAY,
    orderId: `o${i}`,
    tradeId: `t${i}`,
    strategyId: 'sma-cross',
    symbol: 'BTC/USDT',
    side,
    quantity: 0.5,
    price,
    fee: 0.1,
    feeCurrency: 'USDT',
    barIndex: i,
  };
}

describe('buildReport / stableJson', () => {
  it('produces valid JSON with nulls, not NaN, when there are no trades', () => {
    const report = buildReport(reportInput());
    const text = stableJson(report);
    expect(text).not.toMatch(/NaN|Infinity/);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(parsed['finalEquity']).toBe(10_000);
    expect(parsed['finalEquityExact']).toBe('10000.00000000');
    expect(parsed['orders']).toBe(0);
    expect(parsed['trades']).toBe(0);
    expect(parsed['profitFactor']).toBeNull();
    expect(parsed['winRate']).toBeNull();
    expect(parsed['sharpe']).toBeNull();
    expect(parsed['tradeList']).toEqual([]);
    expect(parsed['fills']).toEqual([]);
    expect(text.startsWith('{\n  "schemaVersion": 1,\n')).toBe(true);
  });

  it('has every statistic both flat and under stats, in the same order', () => {
    const report = buildReport(reportInput());
    const parsed = JSON.parse(stableJson(report)) as Record<string, unknown>;
    const stats = parsed['stats'] as Record<string, unknown>;
    const expected = computeStats({
      curve: reportInput().curve,
      trips: [],
      initialEquity: 10_000,
      feesPaid: 0,
      barsInMarket: 0,
    });
    expect(Object.keys(stats)).toEqual(Object.keys(expected));
    for (const k of Object.keys(expected)) expect(parsed[k], k).toEqual(stats[k]);
  });

  it('hashes the trade log with SHA-256', () => {
    // FIPS 180-2 test vector: SHA-256("abc").
    const report = buildReport(reportInput({ tradeLog: 'abc' }));
    expect(report.tradeLogSha256).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('serializes byte for byte the same whatever the key order of params', () => {
    const a = stableJson(
      buildReport(reportInput({ params: { fast: 10, slow: 30, nested: { b: 1, a: 2 } } })),
    );
    const b = stableJson(
      buildReport(reportInput({ params: { nested: { a: 2, b: 1 }, slow: 30, fast: 10 } })),
    );
    expect(a).toBe(b);
    expect(a.indexOf('"fast"')).toBeLessThan(a.indexOf('"slow"'));
  });

  it('downsamples a long equity curve to at most 2,000 points keeping the extremes', () => {
    const n = 100_003;
    const ts = Float64Array.from({ length: n }, (_, i) => i * 60_000);
    const equity = Float64Array.from({ length: n }, (_, i) => 10_000 + 100 * Math.sin(i / 500));
    equity[31_337] = 4_000; // a one-bar crash that a stride would skip
    equity[77_777] = 20_000; // a one-bar spike
    const report = buildReport(reportInput({ curve: { ts, equity } }));
    expect(report.equityCurve.length).toBeLessThanOrEqual(REPORT_EQUITY_POINTS);
    expect(report.equityCurve.length).toBeGreaterThan(1000);
    const values = report.equityCurve.map((p) => p.equity);
    expect(Math.min(...values)).toBe(4_000);
    expect(Math.max(...values)).toBe(20_000);
    expect(report.equityCurve[0]).toEqual({ ts: 0, equity: equity[0] });
    expect(report.equityCurve.at(-1)).toEqual({ ts: ts[n - 1], equity: equity[n - 1] });
    expect(report.equityCurve.find((p) => p.equity === 4_000)?.ts).toBe(31_337 * 60_000);
    // The drawdown of the downsampled curve equals that of the full curve.
    const small = computeStats({
      curve: {
        ts: Float64Array.from(report.equityCurve.map((p) => p.ts)),
        equity: Float64Array.from(values),
      },
      trips: [],
      initialEquity: 10_000,
      feesPaid: 0,
      barsInMarket: 0,
    });
    expect(small.maxDrawdown).toBe(report.maxDrawdown);
  });
});

describe('chartDownsample', () => {
  it('returns every index when the series is short enough', () => {
    expect(chartDownsample([3, 1, 2], 10)).toEqual([0, 1, 2]);
  });

  it('keeps first, last and each bucket min and max, in increasing order', () => {
    // 10 points into 6: first, last, and 2 buckets of 4 interior points each.
    // Bucket [1..4] = 5, 9, 1, 5 → max at 2, min at 3; bucket [5..8] = 4, 0, 8, 4 → min 6, max 7.
    const idx = chartDownsample([5, 5, 9, 1, 5, 4, 0, 8, 4, 6], 6);
    expect(idx).toEqual([0, 2, 3, 6, 7, 9]);
  });

  it('never exceeds the limit and skips NaN unless a bucket is all NaN', () => {
    const values = Float64Array.from({ length: 5_000 }, (_, i) => (i % 97 === 0 ? NaN : (i * 7919) % 1000));
    const idx = chartDownsample(values, 2_000);
    expect(idx.length).toBeLessThanOrEqual(2_000);
    for (let k = 1; k < idx.length; k++) expect(idx[k]!).toBeGreaterThan(idx[k - 1]!);
    const interior = idx.slice(1, -1);
    expect(interior.some((i) => Number.isNaN(values[i]!))).toBe(false);
  });
});

describe('renderHtmlReport', () => {
  const n = 10;
  const ts = Float64Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * DAY);
  const close = Float64Array.from([100, 101, 99, 105, 110, 108, 112, 111, 115, 118]);
  const fills = [fillAt(1, OrderSide.BUY, 101), fillAt(4, OrderSide.SELL, 110)];
  const lastPrices = new Map([['BTC/USDT', { price: 118, ts: ts[n - 1]!, barIndex: n - 1 }]]);
  const trips = roundTripsFromFills(fills, lastPrices);
  const prices = [{ symbol: 'BTC/USDT', ts, close }];

  it('is a self-contained page with the statistics, charts and escaped text', () => {
    const report = buildReport(
      reportInput({
        strategy: '<script>alert("x")</script>',
        params: { note: '</pre><img src=x onerror=alert(1)>' },
        warnings: ['gap in data & <b>bold</b>'],
        fills,
        trips,
        ordersFilled: 2,
        ordersTotal: 2,
        curve: { ts, equity: Float64Array.from([1e4, 1e4, 1e4, 1e4, 10_004, 1e4, 9_990, 1e4, 1e4, 10_010]) },
      }),
    );
    const html = renderHtmlReport(report, prices);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    // No script at all, and the strategy name shows up escaped.
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).not.toContain('<img');
    expect(html).toContain('gap in data &amp; &lt;b&gt;bold&lt;/b&gt;');
    // Nothing loaded from anywhere: the only URL is the SVG namespace.
    expect(html).not.toMatch(/<link|<img|\ssrc\s*=\s*["']|@import|url\(/i);
    const urls = html.match(/https?:\/\/[^"'\s)]+/g) ?? [];
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
    // Equity, drawdown and one price chart.
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html).toContain('viewBox="0 0 1000 300"');
    expect(html).toContain('Drawdown');
    expect(html).toContain('Max drawdown');
    // One ▲ buy and one ▼ sell marker, from the fills.
    expect(html.match(/<path class="buy"/g)).toHaveLength(1);
    expect(html.match(/<path class="sell"/g)).toHaveLength(1);
    expect(html).toContain('fill="#16a34a"');
    expect(html).toContain('fill="#dc2626"');
    // Trade table row.
    expect(html).toContain('<td>long</td>');
    expect(html).not.toMatch(/NaN|undefined|\[object Object\]/);
  });

  it('shows money of a small account (1 BTC) with the decimals it needs, not as 0.00', () => {
    // A 1 BTC account: fills of 0.001 ETH-like sizes, PnL and fees in the 1e-5 BTC range.
    const small = [fillAt(1, OrderSide.BUY, 0.05), fillAt(4, OrderSide.SELL, 0.0501)].map((f) => ({
      ...f,
      quantity: 0.5,
      fee: 0.00002,
    }));
    const smallTrips = roundTripsFromFills(small, lastPrices);
    const equity = Float64Array.from([1, 1, 1, 1, 1.00001, 1.00001, 1.00001, 1.00001, 1.00001, 1.00001]);
    const html = renderHtmlReport(
      buildReport(
        reportInput({
          initialCash: 1,
          currency: 'BTC',
          curve: { ts, equity },
          fills: small,
          trips: smallTrips,
          feesPaid: 0.00004,
          finalEquity: 1.00001,
          finalEquityExact: '1.00001',
        }),
      ),
    );
    expect(html).toContain('<td>1.00001 BTC</td>'); // final equity
    expect(html).toContain('<td>0.00004 BTC</td>'); // fees paid
    expect(html).toContain('<td>0.00001 BTC</td>'); // the one trip's pnl as expectancy
    const trade = html.slice(html.indexOf('<table class="trades">'));
    expect(trade).toContain('<td>0.00001</td><td>0.04 %</td>'); // pnl, return
    // A 10,000 USDT account keeps cents.
    expect(renderHtmlReport(buildReport(reportInput()))).toContain('<td>10,000.00 USDT</td>');
  });

  it('renders the same bytes for the same report', () => {
    const report = buildReport(reportInput({ fills, trips }));
    expect(renderHtmlReport(report, prices)).toBe(renderHtmlReport(report, prices));
  });

  it('renders a run with no trades and no prices without charts of prices', () => {
    const html = renderHtmlReport(buildReport(reportInput()));
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('No trades.');
    expect(html).toContain('price charts are omitted');
    expect(html).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('lists at most 500 trades with a note', () => {
    const many: RoundTrip[] = Array.from({ length: HTML_TRADE_ROWS + 20 }, (_, i) => ({
      ...trips[0]!,
      entryTs: trips[0]!.entryTs + i,
    }));
    const html = renderHtmlReport(buildReport(reportInput({ trips: many })));
    const body = html.slice(html.indexOf('<table class="trades">'));
    expect(body.match(/<tr class=/g)).toHaveLength(HTML_TRADE_ROWS);
    expect(html).toContain(`Showing the first ${HTML_TRADE_ROWS} of ${HTML_TRADE_ROWS + 20} round trips`);
  });

  it('downsamples long price series to at most 2,000 points keeping the extremes', () => {
    const m = 50_000;
    const pts = Float64Array.from({ length: m }, (_, i) => Date.UTC(2024, 0, 1) + i * 60_000);
    const px = Float64Array.from({ length: m }, (_, i) => 100 + Math.sin(i / 1000));
    px[12_345] = 50;
    const html = renderHtmlReport(buildReport(reportInput()), [{ symbol: 'BTC/USDT', ts: pts, close: px }]);
    const priceSvg = html.slice(html.lastIndexOf('<svg '));
    const path = /<path d="(M[^"]+)" fill="none"/.exec(priceSvg)?.[1] ?? '';
    const points = path.split(' ').length;
    expect(points).toBeLessThanOrEqual(2_000);
    expect(points).toBeGreaterThan(1_000);
    // The crash to 50 is the lowest point: its y is at the bottom of the plot area.
    const ys = path.split(' ').map((p) => Number(p.slice(1).split(',')[1]));
    const lowest = Math.max(...ys);
    expect(lowest).toBeGreaterThan(250);
    expect(ys.filter((y) => y > 200)).toHaveLength(1);
  });
});
