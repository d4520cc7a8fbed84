import type { Exchange } from 'ccxt';
import { describe, expect, it } from 'vitest';
import type { CandleSink } from '../../src/exchanges/ccxt/downloadCandles.js';
import { downloadCandles } from '../../src/exchanges/ccxt/downloadCandles.js';
import { TestClock } from '../../src/kernel/Clock.js';
import type { Bar } from '../../src/model/Bar.js';

const M = 60_000;
const T0 = Date.UTC(2024, 0, 1);

/** An in-memory candle store keyed like the SQLite one: (exchange, symbol, tf, ts). */
export class MemorySink implements CandleSink {
  readonly rows = new Map<string, Map<number, Bar>>();
  upserts = 0;
  upsert(exchange: string, symbol: string, tf: string, bars: Bar[]): void {
    const k = `${exchange}|${symbol}|${tf}`;
    const m = this.rows.get(k) ?? new Map<number, Bar>();
    for (const b of bars) m.set(b.ts, b);
    this.rows.set(k, m);
    this.upserts += bars.length;
  }
  lastTimestamp(exchange: string, symbol: string, tf: string): number | undefined {
    const m = this.rows.get(`${exchange}|${symbol}|${tf}`);
    return m === undefined || m.size === 0 ? undefined : Math.max(...m.keys());
  }
  series(exchange: string, symbol: string, tf: string): number[] {
    return [...(this.rows.get(`${exchange}|${symbol}|${tf}`)?.keys() ?? [])].sort((a, b) => a - b);
  }
}

/** A venue with 1m candles at `minutes` (offsets from T0), serving `fetchOHLCV` like Binance. */
function venue(minutes: number[], failAt?: { call: number; times: number }) {
  let calls = 0;
  let failures = 0;
  const requests: (number | undefined)[] = [];
  const ex = {
    id: 'stubvenue',
    has: { fetchOHLCV: true },
    timeframes: { '1m': '1m', '5m': '5m' },
    markets: undefined as Record<string, unknown> | undefined,
    loadMarkets() {
      this.markets = { 'A/B': {} };
      return Promise.resolve(this.markets);
    },
    fetchOHLCV(_s: string, _tf: string, since: number | undefined, limit: number) {
      calls++;
      if (failAt !== undefined && calls >= failAt.call && failures < failAt.times) {
        failures++;
        return Promise.reject(new Error('500 Internal Server Error'));
      }
      requests.push(since);
      const rows = minutes
        .map((m) => T0 + m * M)
        .filter((ts) => since === undefined || ts >= since)
        .slice(0, limit)
        .map((ts) => [ts, 1, 2, 0.5, 1.5, ts / M - T0 / M + 1]);
      return Promise.resolve(rows);
    },
  };
  return { ex: ex as unknown as Exchange, requests };
}

describe('downloadCandles', () => {
  const minutes = [...Array.from({ length: 2500 }, (_, i) => i)].filter((m) => m % 700 !== 5); // 4 holes

  it('pages through the history 1000 at a time, stores each candle once, reports the holes', async () => {
    const { ex, requests } = venue(minutes);
    const sink = new MemorySink();
    const progress: number[] = [];
    const r = await downloadCandles({
      exchange: ex,
      symbol: 'A/B',
      timeframe: '1m',
      since: T0,
      until: T0 + 2400 * M,
      store: sink,
      clock: new TestClock(T0 + 10_000 * M),
      onProgress: (p) => progress.push(p.stored),
    });
    const want = minutes.filter((m) => m < 2400).map((m) => T0 + m * M);
    expect(sink.series('stubvenue', 'A/B', '1m')).toEqual(want);
    expect(requests).toEqual([T0, T0 + 1002 * M, T0 + 2003 * M]);
    expect(r).toMatchObject({
      stored: want.length,
      pages: 3,
      missingBars: 4,
      firstTs: T0,
      lastTs: T0 + 2399 * M,
    });
    expect(r.gaps).toEqual(
      [5, 705, 1405, 2105].map((m) => ({ from: T0 + m * M, to: T0 + (m + 1) * M, bars: 1 })),
    );
    expect(progress).toHaveLength(3);
  });

  it('resumes after an interruption at the last stored candle: nothing missing, nothing twice', async () => {
    const sink = new MemorySink();
    const clock = new TestClock(T0 + 10_000 * M);
    const failing = venue(minutes, { call: 2, times: 10 });
    await expect(
      downloadCandles({
        exchange: failing.ex,
        symbol: 'A/B',
        timeframe: '1m',
        since: T0,
        store: sink,
        clock,
        attempts: 2,
        backoff: { initialMs: 1, maxMs: 1 },
      }),
    ).rejects.toMatchObject({ code: 'ERR_EXCHANGE_REQUEST' });
    const partial = sink.series('stubvenue', 'A/B', '1m');
    expect(partial).toHaveLength(1000); // the first page: minutes 0–1001 but the holes at 5 and 705
    const again = venue(minutes);
    const r = await downloadCandles({
      exchange: again.ex,
      symbol: 'A/B',
      timeframe: '1m',
      since: T0,
      store: sink,
      clock,
    });
    expect(r.resumedAfter).toBe(T0 + 1001 * M);
    expect(again.requests[0]).toBe(T0 + 1001 * M);
    expect(sink.series('stubvenue', 'A/B', '1m')).toEqual(minutes.map((m) => T0 + m * M));
  });

  it('never stores the candle still forming, and refuses unknown timeframes and symbols', async () => {
    const sink = new MemorySink();
    const { ex } = venue([0, 1, 2, 3]);
    const clock = new TestClock(T0 + 3 * M + 30_000); // minute 3 is forming
    const r = await downloadCandles({
      exchange: ex,
      symbol: 'A/B',
      timeframe: '1m',
      since: T0,
      store: sink,
      clock,
    });
    expect(r.lastTs).toBe(T0 + 2 * M);
    await expect(
      downloadCandles({ exchange: ex, symbol: 'A/B', timeframe: '3m', since: T0, store: sink, clock }),
    ).rejects.toMatchObject({ code: 'ERR_EXCHANGE_NOT_SUPPORTED' });
    await expect(
      downloadCandles({ exchange: ex, symbol: 'Z/B', timeframe: '1m', since: T0, store: sink, clock }),
    ).rejects.toMatchObject({ code: 'ERR_EXCHANGE_BAD_SYMBOL' });
  });
});
