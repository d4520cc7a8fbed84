import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import type { FakeTrade } from '../support/fakeBinance/FakeBinance.js';
import { RawWs, until, withTimeout } from './helpers.js';

/** A small deterministic tape (no shared data needed). */
function tape(n: number): FakeTrade[] {
  return Array.from({ length: n }, (_, i) => ({
    id: 1 + i,
    ts: 1_700_000_000_000 + i * 1000,
    price: 100 + (i % 7) * 0.01,
    amount: 1 + (i % 3),
    side: i % 2 === 0 ? 'buy' : 'sell',
  }));
}

/** Socket and timer handles of this process, by kind. */
function handles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) {
    if (/TCP|Timeout|Immediate/.test(r)) out[r] = (out[r] ?? 0) + 1;
  }
  return out;
}

describe('FakeBinance lifecycle', () => {
  it('binds 127.0.0.1 on a free port and close() leaves no open handle behind', async () => {
    const before = handles();
    const fake = await FakeBinance.start({
      markets: [{ symbol: 'BTC/USDT', trades: tape(600), startTime: 1_700_000_100_000 }],
    });
    expect(fake.restUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fake.wsUrl).toBe(fake.restUrl.replace('http', 'ws'));

    const ex = new ccxt.pro.binance();
    await fake.configure(ex);
    await ex.fetchOHLCV('BTC/USDT', '1m');
    const pending = ex.watchTrades('BTC/USDT');
    await fake.waitForSubscription('btcusdt@trade');
    const raw = await RawWs.open(`${fake.wsUrl}/ws/btcusdt@kline_1m`);
    fake.play(200);
    await withTimeout(pending, 5000, 'a played trade');
    await raw.next();
    fake.faults.stall(60_000);
    fake.pause();

    await ex.close();
    await fake.close();
    await fake.close(); // idempotent
    await until(() => raw.ws.readyState === raw.ws.CLOSED, 'the raw client to see the close');
    await until(() => {
      const after = handles();
      return Object.entries(after).every(([k, n]) => n <= (before[k] ?? 0));
    }, 'sockets and timers to be released');
  });

  it('play() replays at the requested rate until the tape runs out, then stops by itself', async () => {
    const fake = await FakeBinance.start({ markets: [{ symbol: 'BTC/USDT', trades: tape(50) }] });
    try {
      const seen: number[] = [];
      const off = fake.onTrade((m, i) => seen.push(m.tape.id[i] as number));
      fake.play(1000);
      await until(() => fake.cursor('BTC/USDT') === 50, 'the whole tape to play');
      expect(fake.step(1)).toBe(0);
      expect(seen).toEqual(tape(50).map((t) => t.id));
      off();
    } finally {
      await fake.close();
    }
  });

  it('refuses any URL outside the fake after configure()', async () => {
    const fake = await FakeBinance.start({ markets: [{ symbol: 'BTC/USDT', trades: tape(10) }] });
    const ex = new ccxt.binance();
    try {
      await fake.configure(ex);
      const urls = JSON.stringify(ex.urls['api']);
      expect(urls).not.toMatch(/binance\.(com|vision)/);
      await expect(ex.fetch('https://api.binance.com/api/v3/ping')).rejects.toThrow(/outside the fake/);
    } finally {
      await ex.close();
      await fake.close();
    }
  });
});
