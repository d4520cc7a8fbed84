/**
 * The REST order sync against the fake Binance, private streams on and off: how many order
 * lookups (GET /api/v3/order) the periodic passes make, and what brings back a report the
 * streams missed. Time is the client's clock (wall time plus a skew the test advances by one
 * sync period per pass), so a minute of sync runs in a moment and every count is exact.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toFixed } from '../../src/core/Fixed.js';
import { IdGenerator } from '../../src/core/ids.js';
import { CcxtExecutionClient } from '../../src/exchanges/ccxt/CcxtExecutionClient.js';
import { RequestGate } from '../../src/exchanges/ccxt/RequestGate.js';
import { ExecutionEngine } from '../../src/execution/ExecutionEngine.js';
import { TestClock } from '../../src/kernel/Clock.js';
import { MessageBus } from '../../src/kernel/MessageBus.js';
import type { Order } from '../../src/model/Order.js';
import type { Harness } from './support/liveHarness.js';
import { FIXED_PER_UNIT, SYMBOL, startHarness, until, rethrowReportFault } from './support/liveHarness.js';

/** live.syncIntervalMs and live.streamSyncIntervalMs at their defaults. */
const SYNC_MS = 2_000;
const STREAM_SYNC_MS = 30_000;
/** Resting orders far below the market: they never fill. */
const RESTING = 5;
/** Lookups by client order id and by exchange id both arrive here. */
const LOOKUP = '/api/v3/order';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('REST order sync pace against the fake Binance', () => {
  let h: Harness;
  let skew: number;
  let oms: ExecutionEngine;
  let client: CcxtExecutionClient;

  beforeEach(async () => {
    h = await startHarness();
    skew = 0;
    const now = (): number => Date.now() + skew;
    oms = new ExecutionEngine(new MessageBus(), new TestClock(0), new IdGenerator('P'));
    client = new CcxtExecutionClient({
      onReportFault: rethrowReportFault,
      exchange: h.exchange,
      capabilities: h.capabilities,
      clientIdPrefix: 'qts',
      gate: new RequestGate({ now, sleep, maxOrders: 50, windowMs: 10_000 }),
      now,
      resolveWithinMs: 5_000,
      streamConfirmMs: 200,
      // Long enough for the test to fill an order while the user streams are down.
      streamRetryMs: 3_000,
    });
    oms.connect(client);
    client.setSink((e) => oms.onReport(e));
  });

  afterEach(async () => {
    client.stopStreams();
    await client.idle();
    await h.close();
  });

  function limitBuy(price: string, quantity = '0.25'): Order {
    const o = oms.create('s1', {
      symbol: SYMBOL,
      side: 'BUY',
      type: 'LIMIT',
      price: toFixed(price),
      quantity: toFixed(quantity),
      timeInForce: 'GTC',
      postOnly: false,
      reduceOnly: false,
    });
    oms.send(o);
    return o;
  }

  async function restingOrders(): Promise<Order[]> {
    const orders = Array.from({ length: RESTING }, (_, i) => limitBuy(String(1500 - i)));
    await client.idle();
    expect(orders.map((o) => o.status)).toEqual(orders.map(() => 'ACCEPTED'));
    return orders;
  }

  /** Order lookups the fake received from log position `from` on. */
  function lookupsSince(from: number): number {
    return h.fake.log.slice(from).filter((e) => e.kind === 'http' && e.method === 'GET' && e.path === LOOKUP)
      .length;
  }

  /** `passes` periodic passes, one sync period apart on the client's clock; the lookups they made. */
  async function passes(passCount: number): Promise<number> {
    const from = h.fake.log.length;
    for (let i = 0; i < passCount; i++) {
      skew += SYNC_MS;
      await client.syncDue(STREAM_SYNC_MS);
    }
    return lookupsSince(from);
  }

  async function streamsHealthy(): Promise<void> {
    await until(() => client.syncPace().streams === 'healthy', 'the private streams to be confirmed');
    // The full pass that follows every (re)subscription.
    await client.idle();
  }

  /** Steps the tape until the exchange filled `o`; how many user-data subscribers there were then. */
  async function fillOnExchange(o: Order): Promise<number> {
    let subscribers = -1;
    await until(() => {
      h.fake.step(1);
      const placed = h.fake.account.orders('spot').find((x) => x.clientOrderId === client.clientIdOf(o.id));
      subscribers = h.fake.userStreams.subscriberCount;
      return placed?.status === 'FILLED';
    }, 'the tape to reach the limit');
    return subscribers;
  }

  function bookedQty(): bigint {
    return h.fake.account.trades('spot').reduce((s, t) => s + t.qty, 0n) * FIXED_PER_UNIT;
  }

  it('healthy streams: resting orders are looked up every streamSyncIntervalMs instead of every pass', async () => {
    await restingOrders();
    const PASSES = 30; // a minute of sync
    const off = await passes(PASSES);
    // Streams off: every order, every pass.
    expect(off).toBe(RESTING * PASSES);
    expect(client.syncPace()).toMatchObject({ streams: 'off', fastOrders: RESTING, slowOrders: 0 });

    client.startStreams();
    await streamsHealthy();
    // Confirmed on a quiet account: no message was needed.
    expect(client.streamHealth()?.streams.every((s) => s.lastMessageAt === undefined)).toBe(true);
    const on = await passes(PASSES);
    const perOrderBound = Math.ceil((PASSES * SYNC_MS) / STREAM_SYNC_MS);
    expect(on).toBeGreaterThanOrEqual(RESTING);
    expect(on).toBeLessThanOrEqual(RESTING * perOrderBound);
    expect(client.syncPace()).toMatchObject({ streams: 'healthy', fastOrders: 0, slowOrders: RESTING });
    process.stdout.write(
      `sync pace: ${RESTING} resting orders, ${PASSES} passes of ${SYNC_MS} ms: ${off} lookups with streams off, ${on} with streams healthy (${(off / on).toFixed(1)}x fewer)\n`,
    );
  });

  it('an order placed while healthy is looked up every pass until the stream reports it', async () => {
    client.startStreams();
    await streamsHealthy();
    // The stream's NEW report is lost: nothing but REST vouches for the order.
    h.fake.faults.dropExecutionReports(1);
    const lost = limitBuy('1400');
    await client.idle();
    expect(lost.status).toBe('ACCEPTED');
    expect(await passes(3)).toBe(3);
    expect(client.syncPace()).toMatchObject({ fastOrders: 1, slowOrders: 0 });
    // The next one's report arrives: it joins the slow pace.
    const seen = limitBuy('1401');
    await until(() => client.orderPace(seen.id) === 'slow', 'the NEW report');
    expect(client.orderPace(lost.id)).toBe('fast');
    expect(await passes(3)).toBe(3);
    expect(client.syncPace()).toMatchObject({ fastOrders: 1, slowOrders: 1 });
  });

  it('user streams dropped: every order back to the fast pace at once, and the fill missed meanwhile is booked by REST', async () => {
    const resting = await restingOrders();
    const victim = limitBuy('1985');
    await client.idle();
    client.startStreams();
    await streamsHealthy();
    expect(await passes(2)).toBe(0);

    h.fake.faults.dropUserStreams();
    await until(() => client.syncPace().streams === 'unhealthy', 'the drop to be noticed');
    // Filled while nobody listened: its execution report is lost for good.
    expect(await fillOnExchange(victim)).toBe(0);
    expect(victim.status).toBe('ACCEPTED');

    const fast = await passes(1);
    expect(client.syncPace().streams).toBe('unhealthy');
    expect(fast).toBe(resting.length + 1);
    expect(victim.status).toBe('FILLED');
    expect(victim.filledQty).toBe(bookedQty());

    // Back: one full pass at once, then the slow pace again.
    const before = h.fake.log.length;
    await streamsHealthy();
    expect(lookupsSince(before)).toBeGreaterThanOrEqual(resting.length);
    expect(await passes(2)).toBe(0);
    expect(client.streamHealth()?.streams.every((s) => s.failures >= 1)).toBe(true);
  });

  it('the full pass after the streams come back books a fill missed while they were down, with no periodic pass', async () => {
    await restingOrders();
    const victim = limitBuy('1985');
    await client.idle();
    client.startStreams();
    await streamsHealthy();

    h.fake.faults.dropUserStreams();
    await until(() => client.syncPace().streams === 'unhealthy', 'the drop to be noticed');
    expect(await fillOnExchange(victim)).toBe(0);
    expect(victim.status).toBe('ACCEPTED');
    await streamsHealthy();
    expect(victim.status).toBe('FILLED');
    expect(victim.filledQty).toBe(bookedQty());
  });

  it('a report lost on a connected, healthy stream is fetched once the order news is streamSyncIntervalMs old', async () => {
    const victim = limitBuy('1985');
    await client.idle();
    client.startStreams();
    await streamsHealthy();
    h.fake.faults.dropExecutionReports(1);
    expect(await fillOnExchange(victim)).toBe(1);
    const startedAt = Date.now() + skew;
    let passCount = 0;
    while (victim.status !== 'FILLED') {
      expect(client.syncPace().streams).toBe('healthy');
      await passes(1);
      passCount += 1;
      expect(passCount * SYNC_MS).toBeLessThanOrEqual(STREAM_SYNC_MS + SYNC_MS);
    }
    // Not before the slow pace made it due.
    expect(Date.now() + skew - startedAt).toBeGreaterThanOrEqual(STREAM_SYNC_MS - SYNC_MS);
    expect(victim.filledQty).toBe(bookedQty());
  });
});
