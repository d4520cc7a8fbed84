import ccxt, { BadSymbol, ExchangeError } from 'ccxt';
import type { OHLCV } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import type { BarSeries } from '../../src/model/BarSeries.js';
import { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import type { FakeTrade } from '../support/fakeBinance/FakeBinance.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';
import { xrpEth } from './helpers.js';

const DAY = 86_400_000;

function fileRow(s: BarSeries, i: number): number[] {
  return [s.ts[i], s.open[i], s.high[i], s.low[i], s.close[i], s.volume[i]] as number[];
}

/** The file's candles aggregated to `ms` buckets, the obvious way. */
function resampled(s: BarSeries, ms: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < s.length; i++) {
    const [t, o, h, l, c, v] = fileRow(s, i) as [number, number, number, number, number, number];
    const b = Math.floor(t / ms) * ms;
    const last = out[out.length - 1];
    if (last !== undefined && last[0] === b) {
      last[2] = Math.max(last[2] as number, h);
      last[3] = Math.min(last[3] as number, l);
      last[4] = c;
      last[5] = Math.round(((last[5] as number) + v) * 1e8) / 1e8;
    } else out.push([b, o, h, l, c, v]);
  }
  return out;
}

describe.skipIf(!HAS_SHARED_DATA)('FakeBinance REST API through ccxt binance', () => {
  let fake: FakeBinance;
  let ex: InstanceType<typeof ccxt.binance>;
  let trades: FakeTrade[];
  let candles: BarSeries;
  let ethBtc: BarSeries;
  // XRP/ETH replays from candle 2100 on: its first 2100 one-minute candles are history.
  const HISTORY = 2100;

  beforeAll(async () => {
    ({ trades, candles } = xrpEth());
    ethBtc = loadBarSeries(sharedFile('crypto/spot-5m/ETH_BTC-5m.csv')).series;
    fake = await FakeBinance.start({
      markets: [
        { symbol: 'XRP/ETH', trades, candles1m: candles, startTime: candles.ts[HISTORY] },
        // Candles only, all of it history.
        { symbol: 'ETH/BTC', candles1m: ethBtc, startTime: Number.MAX_SAFE_INTEGER },
      ],
    });
    ex = new ccxt.binance();
    await fake.configure(ex);
  });

  afterAll(async () => {
    await ex?.close();
    await fake?.close();
  });

  it('serves exchangeInfo that ccxt loadMarkets() turns into spot markets with the filters', async () => {
    const markets = await ex.loadMarkets();
    expect(Object.keys(markets).sort()).toEqual(['ETH/BTC', 'XRP/ETH']);
    const m = markets['XRP/ETH'];
    expect(m).toMatchObject({
      id: 'XRPETH',
      base: 'XRP',
      quote: 'ETH',
      spot: true,
      active: true,
      type: 'spot',
    });
    expect(m?.precision).toMatchObject({ price: 1e-8, amount: 1 });
    expect(m?.limits.cost?.min).toBe(0.0001);
    expect(m?.limits.amount?.min).toBe(1);
    const info = m?.info as { filters: { filterType: string }[]; orderTypes: string[] };
    expect(info.filters.map((f) => f.filterType)).toEqual(
      expect.arrayContaining(['PRICE_FILTER', 'LOT_SIZE', 'NOTIONAL', 'MARKET_LOT_SIZE']),
    );
    expect(info.orderTypes).toContain('LIMIT');
    // Only the spot exchangeInfo was needed: no sapi, fapi, dapi or eapi call.
    expect(fake.log.filter((e) => e.kind === 'http').map((e) => e.path)).toEqual(['/api/v3/exchangeInfo']);
  });

  it('answers fetchTime with the replay clock (the last visible trade)', async () => {
    const cursor = fake.cursor('XRP/ETH');
    expect(await ex.fetchTime()).toBe(
      Math.max(trades[cursor - 1]?.ts ?? 0, ethBtc.ts[ethBtc.length - 1] as number),
    );
  });

  it('pages fetchOHLCV by since+limit across pages, equal to the candle file up to now', async () => {
    const pages: OHLCV[][] = [];
    let since = candles.ts[0] as number;
    for (;;) {
      const page = await ex.fetchOHLCV('XRP/ETH', '1m', since, 1000);
      if (page.length === 0) break;
      pages.push(page);
      since = (page[page.length - 1]?.[0] as number) + 60_000;
    }
    expect(pages.map((p) => p.length)).toEqual([1000, 1000, HISTORY - 2000]);
    const all = pages.flat();
    expect(all).toEqual(Array.from({ length: HISTORY }, (_, i) => fileRow(candles, i)));
  });

  it("pages with ccxt's own paginate option (since + until)", async () => {
    const until = candles.ts[HISTORY - 1] as number;
    const all = await ex.fetchOHLCV('XRP/ETH', '1m', candles.ts[0], undefined, {
      paginate: true,
      until,
      paginationCalls: 10,
      maxEntriesPerRequest: 1000,
    });
    expect(all).toEqual(Array.from({ length: HISTORY }, (_, i) => fileRow(candles, i)));
  });

  it('builds other intervals from the trades, matching the 1m file resampled', async () => {
    const expected = resampled(candles, 15 * 60_000).filter(
      (c) => (c[0] as number) <= (candles.ts[HISTORY - 1] as number),
    );
    const got = await ex.fetchOHLCV('XRP/ETH', '15m', candles.ts[0], 1000);
    expect(got.length).toBe(expected.length);
    expect(got.slice(0, -1)).toEqual(expected.slice(0, -1));
  });

  it('replays a candle-only market (5m file) exactly, and aggregates it to 1h', async () => {
    const first = await ex.fetchOHLCV('ETH/BTC', '5m', ethBtc.ts[0], 1000);
    expect(first).toEqual(Array.from({ length: 1000 }, (_, i) => fileRow(ethBtc, i)));
    const latest = await ex.fetchOHLCV('ETH/BTC', '5m');
    expect(latest.length).toBe(500);
    expect(latest[499]).toEqual(fileRow(ethBtc, ethBtc.length - 1));
    // Binance's startTime selects klines that open at or after it: the file starts at :55,
    // so the first hourly kline is the next full hour.
    const since = ethBtc.ts[0] as number;
    const hourly = await ex.fetchOHLCV('ETH/BTC', '1h', since, 1000);
    const expected = resampled(ethBtc, 3_600_000).filter((c) => (c[0] as number) >= since);
    expect(hourly.length).toBe(expected.length);
    expect(hourly).toEqual(expected);
  });

  it('fetchTrades shows only history (trades before the cursor), equal to the trade file', async () => {
    const cursor = fake.cursor('XRP/ETH');
    const recent = await ex.fetchTrades('XRP/ETH', undefined, 5);
    expect(recent.map((t) => [Number(t.id), t.timestamp, t.price, t.amount, t.side])).toEqual(
      trades.slice(cursor - 5, cursor).map((t) => [t.id, t.ts, t.price, t.amount, t.side]),
    );
    const since = trades[100]?.ts as number;
    const page = await ex.fetchTrades('XRP/ETH', since, 50);
    expect(page.map((t) => Number(t.id))).toEqual(
      trades
        .filter((t) => t.ts >= since)
        .slice(0, 50)
        .map((t) => t.id),
    );
  });

  it('serves trades, historicalTrades (fromId) and aggTrades the way Binance pages them', async () => {
    const cursor = fake.cursor('XRP/ETH');
    const get = async (q: string): Promise<{ id?: number; a?: number }[]> =>
      (await (await fetch(`${fake.restUrl}/api/v3/${q}`)).json()) as { id?: number; a?: number }[];
    expect((await get('trades?symbol=XRPETH')).length).toBe(500);
    const fromId = trades[10]?.id as number;
    expect((await get(`historicalTrades?symbol=XRPETH&fromId=${fromId}&limit=3`)).map((t) => t.id)).toEqual([
      fromId,
      fromId + 1,
      fromId + 2,
    ]);
    expect((await get(`aggTrades?symbol=XRPETH&fromId=${fromId}&limit=2`)).map((t) => t.a)).toEqual([
      fromId,
      fromId + 1,
    ]);
    // The future is not visible, even by id.
    expect(await get(`historicalTrades?symbol=XRPETH&fromId=${trades[cursor]?.id}`)).toEqual([]);
  });

  it('fetchOrderBook returns the synthetic book around the last trade, with its update id', async () => {
    const cursor = fake.cursor('XRP/ETH');
    const last = trades[cursor - 1] as FakeTrade;
    const book = await ex.fetchOrderBook('XRP/ETH', 20);
    expect(book.nonce).toBe(1_000_000 + cursor);
    expect(book.bids.length).toBe(20);
    expect(book.asks.length).toBe(20);
    const bestBid = book.bids[0]?.[0] as number;
    const bestAsk = book.asks[0]?.[0] as number;
    expect(bestBid).toBeLessThan(bestAsk);
    expect(last.side === 'sell' ? bestBid : bestAsk).toBe(last.price);
    const bidPrices = book.bids.map((b) => b[0] as number);
    expect(bidPrices).toEqual([...bidPrices].sort((a, b) => b - a));
  });

  it('fetchTicker reports the last 24 hours of visible trades', async () => {
    const cursor = fake.cursor('XRP/ETH');
    const now = trades[cursor - 1]?.ts as number;
    const window = trades.slice(0, cursor).filter((t) => t.ts > now - DAY);
    const t = await ex.fetchTicker('XRP/ETH');
    expect(t.timestamp).toBe(now);
    expect(t.last).toBe(trades[cursor - 1]?.price);
    expect(t.open).toBe(window[0]?.price);
    expect(t.high).toBe(Math.max(...window.map((x) => x.price)));
    expect(t.low).toBe(Math.min(...window.map((x) => x.price)));
    expect(t.baseVolume).toBe(window.reduce((s, x) => s + x.amount, 0));
    expect((t.info as { count: number }).count).toBe(window.length);
    expect(t.bid).toBeLessThan(t.ask as number);
  });

  it('answers unknown symbols and intervals with Binance error codes', async () => {
    const bad = await fetch(`${fake.restUrl}/api/v3/klines?symbol=NOPE&interval=1m`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ code: -1121, msg: 'Invalid symbol.' });
    const interval = await fetch(`${fake.restUrl}/api/v3/klines?symbol=XRPETH&interval=7m`);
    expect(await interval.json()).toMatchObject({ code: -1120 });
    const capped = (await (
      await fetch(`${fake.restUrl}/api/v3/klines?symbol=XRPETH&interval=1m&limit=5000`)
    ).json()) as unknown[];
    expect(capped.length).toBe(1000);
    await expect(ex.publicGetKlines({ symbol: 'NOPE', interval: '1m' })).rejects.toBeInstanceOf(BadSymbol);
  });

  it('refuses signed calls with 401 -2015 and counts them as private; public calls never are', async () => {
    expect(fake.privateRequestCount()).toBe(0);
    const keyed = new ccxt.binance({ apiKey: 'dummy-key', secret: 'dummy-secret' });
    try {
      await fake.configure(keyed);
      await keyed.loadMarkets();
      expect(fake.privateRequestCount()).toBe(0);
      const err: unknown = await keyed.fetchBalance().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ExchangeError);
      expect(String(err)).toContain('-2015');
      expect(fake.privateRequestCount()).toBe(1);
      expect(fake.log.filter((e) => e.private)).toEqual([
        expect.objectContaining({ method: 'GET', path: '/api/v3/account' }),
      ]);
    } finally {
      await keyed.close();
    }
  });
});
