import ccxt from 'ccxt';
import type { OHLCV, Trade } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BarSeries } from '../../src/model/BarSeries.js';
import { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import type { FakeTrade } from '../support/fakeBinance/FakeBinance.js';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import { collect, lowerBound, RawWs, until, withTimeout, xrpEth } from './helpers.js';

const DAY = 86_400_000;

function asFileTrade(t: Trade): unknown[] {
  return [Number(t.id), t.timestamp, t.price, t.amount, t.side];
}

function fileTrade(t: FakeTrade): unknown[] {
  return [t.id, t.ts, t.price, t.amount, t.side];
}

describe.skipIf(!HAS_SHARED_DATA)('FakeBinance streams through ccxt.pro binance', () => {
  let fake: FakeBinance;
  let pro: InstanceType<typeof ccxt.pro.binance>;
  let trades: FakeTrade[];
  let candles: BarSeries;
  const START = 10; // replay starts at the 11th one-minute candle

  beforeAll(async () => {
    ({ trades, candles } = xrpEth());
    fake = await FakeBinance.start({
      markets: [{ symbol: 'XRP/ETH', trades, candles1m: candles, startTime: candles.ts[START] }],
    });
    pro = new ccxt.pro.binance();
    await fake.configure(pro);
    await pro.loadMarkets();
  });

  afterAll(async () => {
    await pro?.close();
    await fake?.close();
  });

  it('watchTrades receives the trades step() publishes, equal to the trade file', async () => {
    const first = fake.cursor('XRP/ETH');
    const pending = pro.watchTrades('XRP/ETH');
    await fake.waitForSubscription('xrpeth@trade');
    expect(fake.step(5)).toBe(5);
    const got = await collect(
      pending,
      () => pro.watchTrades('XRP/ETH'),
      (all) => new Set(all.map((t) => t.id)).size >= 5,
      'five trades',
    );
    const unique = [...new Map(got.map((t) => [t.id, t])).values()];
    expect(unique.map(asFileTrade)).toEqual(trades.slice(first, first + 5).map(fileTrade));
  });

  it('watchTrades with name aggTrade reads the aggTrade stream (one aggregate per trade)', async () => {
    // A second instance: ccxt keys the subscription by symbol, not by stream name, so the
    // instance already watching trades would not subscribe again.
    const other = new ccxt.pro.binance();
    try {
      await fake.configure(other);
      const next = fake.cursor('XRP/ETH');
      const pending = other.watchTrades('XRP/ETH', undefined, undefined, { name: 'aggTrade' });
      await fake.waitForSubscription('xrpeth@aggTrade');
      fake.step(1);
      const got = await withTimeout(pending, 5000, 'an aggTrade');
      expect(got.map(asFileTrade)).toEqual([fileTrade(trades[next] as FakeTrade)]);
      expect((got[0]?.info as { e: string }).e).toBe('aggTrade');
    } finally {
      await other.close();
    }
  });

  it('watchOHLCV gets forming klines and the closing one equal to the candle file', async () => {
    const cursor = fake.cursor('XRP/ETH');
    const minute = Math.floor((trades[cursor]?.ts as number) / 60_000) * 60_000;
    const k = lowerBound(candles.ts, minute);
    expect(candles.ts[k]).toBe(minute);
    // Publish the rest of this minute and the first trade of the next candle.
    const nextMinute = candles.ts[k + 1] as number;
    const n = trades.findIndex((t) => t.ts >= nextMinute) - cursor + 1;
    const latest = new Map<number, OHLCV>();
    const first = pro.watchOHLCV('XRP/ETH', '1m');
    await fake.waitForSubscription('xrpeth@kline_1m');
    fake.step(n);
    const remember = (got: OHLCV[]): OHLCV[] => {
      for (const c of got) latest.set(c[0] as number, c);
      return got;
    };
    await collect(
      first.then(remember),
      async () => remember(await pro.watchOHLCV('XRP/ETH', '1m')),
      () => latest.has(nextMinute),
      'the next minute kline',
    );
    expect(latest.get(minute)).toEqual([
      minute,
      candles.open[k],
      candles.high[k],
      candles.low[k],
      candles.close[k],
      candles.volume[k],
    ]);
    const opening = trades[cursor + n - 1] as FakeTrade;
    expect(latest.get(nextMinute)).toEqual([
      nextMinute,
      opening.price,
      opening.price,
      opening.price,
      opening.price,
      opening.amount,
    ]);
  });

  it('watchOrderBook syncs from the REST snapshot and follows the diff stream', async () => {
    const book = fake.market('XRP/ETH').book;
    const first = await withTimeout(pro.watchOrderBook('XRP/ETH'), 5000, 'the order book snapshot');
    const cursor = fake.cursor('XRP/ETH');
    expect(first.nonce).toBe(book.updateId(cursor));
    fake.step(3);
    const target = book.updateId(cursor + 3);
    let ob = first;
    while ((ob.nonce as number) < target)
      ob = await withTimeout(pro.watchOrderBook('XRP/ETH'), 5000, 'a book update');
    const expected = book.snapshot(cursor + 3);
    expect(ob.nonce).toBe(expected.lastUpdateId);
    expect(ob.bids).toEqual(expected.bids.map(([p, q]) => [Number(p), Number(q)]));
    expect(ob.asks).toEqual(expected.asks.map(([p, q]) => [Number(p), Number(q)]));
    const last = trades[cursor + 2] as FakeTrade;
    expect(last.side === 'sell' ? ob.bids[0]?.[0] : ob.asks[0]?.[0]).toBe(last.price);
  });

  it('watchTicker receives the ticker of each step (miniTicker by default), consistent with REST', async () => {
    const pending = pro.watchTicker('XRP/ETH');
    await fake.waitForSubscription('xrpeth@miniTicker');
    const cursor = fake.cursor('XRP/ETH');
    fake.step(1);
    const t = await withTimeout(pending, 5000, 'a ticker');
    const now = trades[cursor]?.ts as number;
    const window = trades.slice(0, cursor + 1).filter((x) => x.ts > now - DAY);
    expect(t.timestamp).toBe(now);
    expect(t.last).toBe(trades[cursor]?.price);
    expect(t.open).toBe(window[0]?.price);
    expect(t.high).toBe(Math.max(...window.map((x) => x.price)));
    expect(t.low).toBe(Math.min(...window.map((x) => x.price)));
    expect(t.baseVolume).toBe(window.reduce((s, x) => s + x.amount, 0));
    const rest = await pro.fetchTicker('XRP/ETH');
    for (const k of ['last', 'open', 'high', 'low', 'baseVolume', 'quoteVolume'] as const)
      expect(t[k], k).toBe(rest[k]);
  });

  it('watchTicker with name ticker reads the full 24hrTicker stream, bid/ask included', async () => {
    const other = new ccxt.pro.binance({ options: { watchTickers: { name: 'ticker' } } });
    try {
      await fake.configure(other);
      const pending = other.watchTicker('XRP/ETH');
      await fake.waitForSubscription('xrpeth@ticker');
      fake.step(1);
      const t = await withTimeout(pending, 5000, 'a full ticker');
      const rest = await other.fetchTicker('XRP/ETH');
      for (const k of [
        'last',
        'open',
        'high',
        'low',
        'bid',
        'ask',
        'bidVolume',
        'askVolume',
        'vwap',
        'baseVolume',
        'previousClose',
      ] as const) {
        expect(t[k], k).toBe(rest[k]);
      }
      expect((t.info as { e: string }).e).toBe('24hrTicker');
    } finally {
      await other.close();
    }
  });

  it('unWatchTrades sends UNSUBSCRIBE and the fake stops sending', async () => {
    expect(fake.subscriberCount('xrpeth@trade')).toBe(1);
    await withTimeout(pro.unWatchTrades('XRP/ETH'), 5000, 'the unsubscription');
    await until(() => fake.subscriberCount('xrpeth@trade') === 0, 'the trade stream to lose its subscriber');
    expect(fake.log.some((e) => e.method === 'UNSUBSCRIBE' && e.path === 'xrpeth@trade')).toBe(true);
    expect(fake.privateRequestCount()).toBe(0);
  });

  it('serves combined streams and LIST_SUBSCRIPTIONS to a plain WebSocket client', async () => {
    const ws = await RawWs.open(`${fake.wsUrl}/stream?streams=xrpeth@trade/xrpeth@bookTicker`);
    try {
      ws.send({ method: 'LIST_SUBSCRIPTIONS', id: 7 });
      expect(await ws.next()).toEqual({ result: ['xrpeth@trade', 'xrpeth@bookTicker'], id: 7 });
      const cursor = fake.cursor('XRP/ETH');
      fake.step(1);
      const t = trades[cursor] as FakeTrade;
      expect(await ws.next()).toEqual({
        stream: 'xrpeth@trade',
        data: {
          e: 'trade',
          E: t.ts,
          s: 'XRPETH',
          t: t.id,
          p: t.price.toFixed(8),
          q: t.amount.toFixed(8),
          T: t.ts,
          m: t.side === 'sell',
          M: true,
        },
      });
      expect(await ws.next()).toMatchObject({
        stream: 'xrpeth@bookTicker',
        data: { s: 'XRPETH', u: 1_000_000 + cursor + 1 },
      });
    } finally {
      await ws.close();
    }
  });
});
