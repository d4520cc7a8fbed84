/**
 * Helpers of the live bracket tests: one engine incarnation (journaling OMS on SQLite, ccxt
 * client on the fake Binance, the emulating LiveVenue), brackets built as
 * NodeStrategyContext.bracket builds them, and the books-versus-exchange comparison.
 */
import { pino } from 'pino';
import type { LiveReconciler } from '../../../src/app/LiveReconciler.js';
import { LiveVenue } from '../../../src/app/LiveVenue.js';
import type { LiveConfig } from '../../../src/config/configSchema.js';
import type { Fixed } from '../../../src/core/Fixed.js';
import { ZERO, add, sub, toFixed } from '../../../src/core/Fixed.js';
import { RequestGate } from '../../../src/exchanges/ccxt/RequestGate.js';
import type { Order } from '../../../src/model/Order.js';
import type { OrderRequest } from '../../../src/model/OrderRequest.js';
import type { SqliteDatabase } from '../../../src/storage/sqlite/openDatabase.js';
import { journaledOms } from './journaledOms.js';
import type { Harness } from './liveHarness.js';
import { FIXED_PER_UNIT, SYMBOL, exchangeTotal } from './liveHarness.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const LIVE = { resolveWithinMs: 2_000, syncIntervalMs: 100, requestTimeoutMs: 3_000 } as LiveConfig;

/** A BUY LIMIT of 3 on the test symbol, with `over` applied. */
export function request(over: Partial<OrderRequest>): OrderRequest {
  return {
    symbol: SYMBOL,
    side: 'BUY',
    type: 'LIMIT',
    quantity: toFixed(3),
    timeInForce: 'GTC',
    postOnly: false,
    reduceOnly: false,
    ...over,
  };
}

/** The base the account holds at the exchange (a buy's fee is taken in it), in Fixed units. */
export const heldEth = (h: Harness): bigint => exchangeTotal(h.fake, 'ETH');

/** One engine incarnation on the database: journaling OMS, ccxt client on the fake, the emulating venue. */
export function incarnation(h: Harness, db: SqliteDatabase) {
  const now = (): number => Date.now();
  const { store, oms, client } = journaledOms(h, db, now, (what, err) => {
    if (process.env.QTS_TEST_LOG !== undefined) console.warn(what, err.kind, err.message);
  });
  const send = (r: OrderRequest, strategyId = 's1'): Order => {
    const o = oms.create(strategyId, r);
    oms.send(o);
    return o;
  };
  const venue = new LiveVenue(
    client,
    undefined as unknown as LiveReconciler,
    new RequestGate({ now, sleep, maxOrders: 100, windowMs: 1000 }),
    LIVE,
    pino({ level: process.env.QTS_TEST_LOG ?? 'silent' }),
    () => Promise.resolve(),
    undefined,
    {
      order: (id) => oms.order(id) ?? store.load(id),
      isSpot: () => true,
      // What the books hold of the base (a buy's fee is taken in it), as the portfolio would.
      closable: () => heldEth(h) as Fixed,
      // No risk engine here: the OMS names, journals and sends it.
      submit: (strategyId, r) => send(r, strategyId),
    },
    now,
  );
  oms.connect(venue.orderClient);
  venue.connect((e) => oms.onReport(e));
  /** Takes back the open orders of the database, as startup does after a crash. */
  const restore = (): void => {
    for (const o of store.loadOpenOrders()) {
      oms.adopt(o);
      venue.adopt(o);
    }
  };
  return { store, oms, client, venue, send, restore };
}

export type Incarnation = ReturnType<typeof incarnation>;

/** A bracket as NodeStrategyContext.bracket builds it: entry, stop-loss and take-profit children. */
export function placeBracket(
  inc: Incarnation,
  prices: { entry: number; stop: number; takeProfit: number },
): { entry: Order; stopLoss: Order; takeProfit: Order } {
  const entry = inc.send(request({ price: toFixed(prices.entry) }));
  const child = { parentId: entry.id, ocoGroup: `${entry.id}-oco1`, reduceOnly: true, side: 'SELL' as const };
  const stopLoss = inc.send(request({ ...child, type: 'STOP_MARKET', triggerPrice: toFixed(prices.stop) }));
  const takeProfit = inc.send(request({ ...child, type: 'LIMIT', price: toFixed(prices.takeProfit) }));
  return { entry, stopLoss, takeProfit };
}

/** A market trade at `price` as the engine's feed would deliver it. */
export const trade = (price: number) => ({
  symbol: SYMBOL,
  ts: 0,
  id: 'x',
  price,
  amount: 1,
  side: 'SELL' as const,
});

/**
 * Forwards every trade the fake replays to the venue of `target()` (the engine's trade feed),
 * after the fake matched its resting orders against it. Returns the unsubscribe.
 */
export function forwardTape(h: Harness, target: () => LiveVenue): () => void {
  return h.fake.onTrade((m, i) => target().onTrade(trade(m.tape.price[i] as number)));
}

/** The orders of a bracket in the journal: entry, children and every continuation of them. */
export function bracketOrders(inc: Incarnation, entryId: string): Order[] {
  return inc.store
    .list({ limit: 10_000 })
    .filter((r) => r.id === entryId || r.request.parentId === entryId)
    .map((r) => inc.store.load(r.id))
    .filter((o): o is Order => o !== undefined);
}

/** What the books say the account holds of the base, from the journaled fills of `orders`. */
export function bookedBase(inc: Incarnation, orders: readonly Order[], base = 'ETH'): Fixed {
  let held = ZERO;
  for (const o of orders)
    for (const e of inc.store.events(o.id)) {
      if (e.type !== 'OrderFilled') continue;
      held = e.side === 'BUY' ? add(held, e.lastQty) : sub(held, e.lastQty);
      if (e.feeCurrency === base) held = sub(held, e.fee);
    }
  return held;
}

/** The exchange trade ids the books hold fills of, sorted. */
export function bookedTradeIds(inc: Incarnation, orders: readonly Order[]): string[] {
  const ids: string[] = [];
  for (const o of orders)
    for (const e of inc.store.events(o.id)) if (e.type === 'OrderFilled') ids.push(e.tradeId);
  return ids.sort();
}

/** Each order's filled quantity in the books and at the exchange (must be equal), by client id. */
export function filledBothSides(
  h: Harness,
  inc: Incarnation,
  orders: readonly Order[],
): { ours: Record<string, bigint>; exchange: Record<string, bigint> } {
  const ours: Record<string, bigint> = {};
  const exchange: Record<string, bigint> = {};
  for (const o of orders) {
    const id = inc.client.clientIdOf(o.id);
    ours[id] = o.filledQty;
    const at = h.fake.account.orderByClientId(id);
    exchange[id] = at === undefined ? 0n : at.executedQty * FIXED_PER_UNIT;
  }
  return { ours, exchange };
}
