import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ccxt from 'ccxt';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveVenue } from '../../src/app/LiveVenue.js';
import { liveVariant } from '../../src/app/liveVariant.js';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import type { RuntimeVariant } from '../../src/app/RuntimeVariant.js';
import { add, formatFixed } from '../../src/core/Fixed.js';
import type { Fixed } from '../../src/core/Fixed.js';
import { tradesTopic } from '../../src/kernel/topics.js';
import { FillStore } from '../../src/storage/sqlite/FillStore.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import type { FakeTrade } from '../support/fakeBinance/FakeBinance.js';
import { loadTradesCsv } from '../support/fakeBinance/loadTradesCsv.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';
import {
  KEYS,
  duplicateOrders,
  exchangeTotal,
  exchangeTradeIds,
  tradingExchange,
  until,
  liveTestConfig,
} from './support/liveHarness.js';

const SYMBOL = 'XRP/ETH';
const log = pino({ level: process.env['QTS_TEST_LOG'] ?? 'silent' });
/** The first 300 minutes of the recorded XRP/ETH tape: enough crossovers to trade a few dozen times. */
function tapeHead(): FakeTrade[] {
  const all = loadTradesCsv(sharedFile('crypto/trades/XRP_ETH-trades.csv'));
  const end = (all[0]?.ts ?? 0) + 300 * 60_000;
  return all.filter((t) => t.ts < end);
}

function config(dbPath: string, mode: 'shadow' | 'live') {
  return liveTestConfig({
    mode,
    dbPath,
    account: { currency: 'ETH', initialCash: 10, commission: 0.001 },
    sma: { id: 'sma-xrp', symbol: SYMBOL, fast: 5, slow: 20, sizing: 'fixed:100' },
    live: { reconcileIntervalMs: 500, resolveWithinMs: 3_000, streams: mode === 'live' },
  });
}

/**
 * Replays the tape minute by minute: after the first trade of each minute (which closes the
 * previous bar) it waits until the engine saw it and every order it caused left SUBMITTED,
 * so a market order meets the exchange at that trade's price, the next bar's open.
 */
async function replay(fake: FakeBinance, rt: TradingRuntime, trades: readonly FakeTrade[]): Promise<void> {
  let seen = -1;
  rt.node.bus.subscribe(tradesTopic(SYMBOL), (t) => (seen = Number(t.id)));
  await fake.waitForSubscription('xrpeth@trade', 10_000);
  let i = fake.cursor(SYMBOL);
  while (i < trades.length) {
    const minute = Math.floor((trades[i]?.ts ?? 0) / 60_000);
    let j = i + 1;
    while (j < trades.length && Math.floor((trades[j]?.ts ?? 0) / 60_000) === minute) j++;
    // Publish up to and including the first trade of the next minute.
    const n = Math.min(j + 1, trades.length) - i;
    fake.step(n);
    const want = trades[i + n - 1]?.id ?? -1;
    await until(() => seen === want, `trade ${want}`, 10_000);
    await until(
      () => rt.node.oms.openOrders().every((o) => o.status !== 'SUBMITTED'),
      'orders acknowledged',
      10_000,
    );
    i += n;
  }
}

/**
 * The booked fills of each order, oldest order first: [side, total quantity]. The exchange
 * may fill one market order in several trades (one per book level it takes), the simulated
 * venue in one, so orders are compared, not trades.
 */
function ordersOf(dbPath: string): { orders: string[][]; tradeIds: string[] } {
  const db = openDatabase(dbPath);
  try {
    const fills = new FillStore(db).list({ limit: 10_000 }).reverse();
    const byOrder = new Map<string, { side: string; qty: Fixed }>();
    for (const f of fills) {
      const o = byOrder.get(f.orderId);
      byOrder.set(f.orderId, { side: f.side, qty: o === undefined ? f.qty : add(o.qty, f.qty) });
    }
    return {
      orders: [...byOrder.values()].map((o) => [o.side, formatFixed(o.qty)]),
      tradeIds: fills.map((f) => f.tradeId),
    };
  } finally {
    db.close();
  }
}

describe.skipIf(!HAS_SHARED_DATA)('live session against the fake exchange', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  async function run(
    mode: 'shadow' | 'live',
  ): Promise<{ dbPath: string; fake: FakeBinance; rt: TradingRuntime }> {
    const trades = tapeHead();
    // Binance's default commission (0.1 %), taken from the coin received: 100 XRP bought,
    // 99.9 held. Shadow's instrument says so too (feeSide 'get' from ccxt's market).
    const fake = await FakeBinance.start({
      markets: [{ symbol: SYMBOL, trades }],
      account: { apiKeys: { [KEYS.apiKey]: KEYS.secret }, balances: { ETH: '10', XRP: '0' } },
    });
    closers.push(() => fake.close());
    const dbPath = join(mkdtempSync(join(tmpdir(), `qts-${mode}-`)), 'trading.db');
    const variant: RuntimeVariant | undefined =
      mode === 'live' ? liveVariant(KEYS, () => tradingExchange(fake)) : undefined;
    const deps = {
      log,
      noHttp: true,
      noServices: true,
      exchangeFactory: async () => {
        const ex = new ccxt.pro.binance();
        await fake.configure(ex);
        return ex;
      },
    };
    const cfg = config(dbPath, mode);
    const rt = variant
      ? await TradingRuntime.start(cfg, deps, variant)
      : await TradingRuntime.startShadow(cfg, deps);
    await replay(fake, rt, trades);
    return { dbPath, fake, rt };
  }

  it('strategy → risk → OMS → ccxt → exchange → reports → ledger: the same trades as shadow mode, books equal to the exchange', async () => {
    const shadow = await run('shadow');
    await shadow.rt.stop();
    const live = await run('live');
    const { rt, fake } = live;
    const venue = rt.venue as LiveVenue;
    expect(venue).toBeInstanceOf(LiveVenue);
    expect(rt.status().mode).toBe('live');
    expect(venue.components().map((c) => [c.name, c.ready])).toEqual([
      ['reconciliation', true],
      ['execution', true],
    ]);
    const position = rt.node.portfolio.positionQty(SYMBOL);
    const cash = rt.node.portfolio.cash();
    await rt.stop();

    const shadowOrders = ordersOf(shadow.dbPath);
    const liveOrders = ordersOf(live.dbPath);
    expect(shadowOrders.orders.length).toBeGreaterThan(5);
    // Same decisions, same sizes, in the same order. Prices differ by the venue's convention
    // only: the simulated venue fills a market order at the trade after it, the exchange
    // takes its book when the order arrives (the trade that closed the bar).
    expect(liveOrders.orders).toEqual(shadowOrders.orders);
    // Every exchange trade booked exactly once, whether it came by REST or the stream.
    expect(liveOrders.tradeIds).toEqual(exchangeTradeIds(fake));
    // The exchange's books and ours agree to the last unit; no order was placed twice.
    expect(position).toBe(exchangeTotal(fake, 'XRP'));
    expect(cash).toBe(exchangeTotal(fake, 'ETH'));
    expect(duplicateOrders(fake)).toEqual([]);
    expect(fake.account.orders('spot')).toHaveLength(liveOrders.orders.length);
    // The private stream was used: subscribed over the WebSocket API and fed execution reports.
    expect(fake.log.some((e) => e.method === 'userDataStream.subscribe.signature')).toBe(true);
    expect(fake.privateRequestCount()).toBeGreaterThan(0);
  }, 120_000);
});
