import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toFixed } from '../../src/core/Fixed.js';
import { IdGenerator } from '../../src/core/ids.js';
import { CcxtExecutionClient } from '../../src/exchanges/ccxt/CcxtExecutionClient.js';
import { RequestGate } from '../../src/exchanges/ccxt/RequestGate.js';
import { ExecutionEngine } from '../../src/execution/ExecutionEngine.js';
import { TestClock } from '../../src/kernel/Clock.js';
import { MessageBus } from '../../src/kernel/MessageBus.js';
import { ORDER_EVENTS } from '../../src/kernel/topics.js';
import type { OrderEvent } from '../../src/model/events.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';
import type { Harness } from './support/liveHarness.js';
import {
  FIXED_PER_UNIT,
  SYMBOL,
  duplicateOrders,
  startHarness,
  until,
  rethrowReportFault,
} from './support/liveHarness.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function request(over: Partial<OrderRequest> = {}): OrderRequest {
  return {
    symbol: SYMBOL,
    side: 'BUY',
    type: 'MARKET',
    quantity: toFixed('0.5'),
    timeInForce: 'GTC',
    postOnly: false,
    reduceOnly: false,
    ...over,
  };
}

describe('CcxtExecutionClient against the fake Binance', () => {
  let h: Harness;
  let skew: number;
  let oms: ExecutionEngine;
  let client: CcxtExecutionClient;
  let gate: RequestGate;
  let events: OrderEvent[];

  beforeEach(async () => {
    h = await startHarness();
    skew = 0;
    const now = (): number => Date.now() + skew;
    const bus = new MessageBus();
    events = [];
    bus.subscribe(ORDER_EVENTS, (e) => events.push(e));
    oms = new ExecutionEngine(bus, new TestClock(0), new IdGenerator('Q'));
    gate = new RequestGate({ now, sleep, maxOrders: 50, windowMs: 10_000 });
    client = new CcxtExecutionClient({
      onReportFault: rethrowReportFault,
      exchange: h.exchange,
      capabilities: h.capabilities,
      clientIdPrefix: 'qts',
      gate,
      now,
      resolveWithinMs: 5_000,
    });
    oms.connect(client);
    client.setSink((e) => oms.onReport(e));
  });

  afterEach(async () => {
    await client.idle();
    await h.close();
  });

  function send(over: Partial<OrderRequest> = {}): ReturnType<ExecutionEngine['create']> {
    const o = oms.create('s1', request(over));
    oms.send(o);
    return o;
  }

  it('places a market order under our client id and books its fill from the response', async () => {
    const o = send();
    await client.idle();
    expect(o.status).toBe('FILLED');
    const placed = h.fake.account.orders('spot')[0];
    expect(placed?.clientOrderId).toBe(`qts${o.id}`);
    expect(o.venueOrderId).toBe(String(placed?.orderId));
    // The market order takes the book level by level: one exchange trade per level touched.
    const trades = h.fake.account.trades('spot');
    expect(trades.length).toBeGreaterThan(0);
    expect(o.filledQty).toBe(trades.reduce((s, t) => s + t.qty, 0n) * FIXED_PER_UNIT);
    const fills = events.flatMap((e) => (e.type === 'OrderFilled' ? [e.tradeId] : []));
    expect(fills).toEqual(trades.map((t) => String(t.tradeId)));
    expect(h.fake.account.ordersCreated(`qts${o.id}`)).toBe(1);
  });

  it('a resting limit order fills later; REST sync and repeated syncs book each trade once', async () => {
    const o = send({ type: 'LIMIT', price: toFixed('1985'), quantity: toFixed('0.25') });
    await client.idle();
    expect(o.status).toBe('ACCEPTED');
    await until(() => {
      h.fake.step(1);
      return h.fake.account.orders('spot')[0]?.status === 'FILLED';
    }, 'the tape to reach the limit');
    await client.sync();
    await client.sync();
    expect(o.status).toBe('FILLED');
    expect(events.filter((e) => e.type === 'OrderFilled')).toHaveLength(1);
    expect(o.avgPx).toBe(toFixed('1985'));
  });

  it('a definite refusal (insufficient funds) rejects the order with a code', async () => {
    const o = send({ type: 'LIMIT', price: toFixed('1990'), quantity: toFixed('1000') });
    await client.idle();
    expect(o.status).toBe('REJECTED');
    expect(o.reasonCode).toBe('ERR_EXCHANGE_REJECTED');
    expect(client.unknownOrders()).toEqual([]);
  });

  it('a lost acknowledgement (503 after the exchange took the order) is resolved by lookup, never re-sent', async () => {
    h.fake.faults.failAfterProcessing('/api/v3/order', 1);
    const o = send();
    await client.idle();
    expect(o.status).toBe('SUBMITTED');
    expect(client.unknownOrders().map((u) => u.orderId)).toEqual([o.id]);
    await client.sync();
    expect(o.status).toBe('FILLED');
    expect(client.unknownOrders()).toEqual([]);
    expect(h.fake.account.ordersCreated(`qts${o.id}`)).toBe(1);
    expect(duplicateOrders(h.fake)).toEqual([]);
  });

  it('a 5xx before processing: unknown until the bound, then rejected once the exchange says it never saw it', async () => {
    h.fake.faults.failRest('/api/v3/order', 502, 1);
    const o = send();
    await client.idle();
    expect(o.status).toBe('SUBMITTED');
    await client.sync();
    expect(o.status).toBe('SUBMITTED');
    skew += 5_001;
    await client.sync();
    expect(o.status).toBe('REJECTED');
    expect(o.reasonCode).toBe('ERR_ORDER_NEVER_REACHED_EXCHANGE');
    expect(h.fake.account.ordersCreated(`qts${o.id}`)).toBe(0);
  });

  it('no lookup while the exchange is unreachable turns an unknown order into a rejection', async () => {
    h.fake.faults.dropResponses('/api/v3/order', 1);
    const o = send();
    await client.idle();
    skew += 10_000;
    h.fake.faults.failRest('/api/v3/order', 503, 1);
    await client.sync();
    expect(o.status).toBe('SUBMITTED');
    await client.sync();
    expect(o.status).toBe('FILLED');
  });

  it('cancels a resting order', async () => {
    const o = send({ type: 'LIMIT', price: toFixed('1500') });
    await client.idle();
    oms.cancel(o.id, 'test');
    await client.idle();
    expect(o.status).toBe('CANCELED');
    expect(o.reason).toBe('test');
    expect(h.fake.account.orders('spot')[0]?.status).toBe('CANCELED');
  });

  it('a 429 closes the gate for Retry-After: no request reaches the exchange before it ends', async () => {
    h.fake.faults.rateLimit(429, 1, '/api/v3/order');
    const o = send();
    await client.idle();
    const banAt = h.fake.log.filter((e) => e.private).at(-1)?.at ?? 0;
    expect(gate.blockedUntil()).toBeGreaterThan(Date.now());
    const started = Date.now();
    await client.sync();
    const next = h.fake.log.filter((e) => e.private && e.at > banAt)[0];
    expect(next).toBeDefined();
    expect((next?.at ?? 0) - banAt).toBeGreaterThanOrEqual(950);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(gate.requestsDuringBan).toBe(0);
    expect(h.fake.faults.requestsDuringBan).toBe(0);
    expect(h.fake.faults.bans).toHaveLength(1);
    expect(o.status).toBe('SUBMITTED');
  });
});
