import { afterEach, describe, expect, it } from 'vitest';
import { toFixed } from '../../src/core/Fixed.js';
import { IdGenerator } from '../../src/core/ids.js';
import { CcxtExecutionClient } from '../../src/exchanges/ccxt/CcxtExecutionClient.js';
import { RequestGate } from '../../src/exchanges/ccxt/RequestGate.js';
import { ExecutionEngine } from '../../src/execution/ExecutionEngine.js';
import { TestClock } from '../../src/kernel/Clock.js';
import { MessageBus } from '../../src/kernel/MessageBus.js';
import type { Order } from '../../src/model/Order.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';
import type { Harness } from './support/liveHarness.js';
import { FIXED_PER_UNIT, SYMBOL, startHarness, until, rethrowReportFault } from './support/liveHarness.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function limit(price: string): OrderRequest {
  return {
    symbol: SYMBOL,
    side: 'BUY',
    type: 'LIMIT',
    price: toFixed(price),
    quantity: toFixed('0.5'),
    timeInForce: 'GTC',
    postOnly: false,
    reduceOnly: false,
  };
}

describe('a cancel asked of the exchange is carried through (kill switch, user cancel)', () => {
  let h: Harness;
  let oms: ExecutionEngine;
  let client: CcxtExecutionClient;

  async function setup(maxOrders: number, windowMs: number): Promise<void> {
    h = await startHarness();
    const now = (): number => Date.now();
    oms = new ExecutionEngine(new MessageBus(), new TestClock(0), new IdGenerator('Q'));
    client = new CcxtExecutionClient({
      onReportFault: rethrowReportFault,
      exchange: h.exchange,
      capabilities: h.capabilities,
      clientIdPrefix: 'qts',
      gate: new RequestGate({ now, sleep, maxOrders, windowMs }),
      now,
      resolveWithinMs: 5_000,
    });
    oms.connect(client);
    client.setSink((e) => oms.onReport(e));
  }

  function send(r: OrderRequest): Order {
    const o = oms.create('s1', r);
    oms.send(o);
    return o;
  }

  const atExchange = (o: Order): string | undefined =>
    h.fake.account.orders('spot').find((x) => x.clientOrderId === `qts${o.id}`)?.status;

  afterEach(async () => {
    await client.idle();
    await h.close();
  });

  it('a cancel answered by a 5xx before the exchange processed it is asked again, not dropped', async () => {
    await setup(50, 10_000);
    const o = send(limit('1500'));
    await client.idle();
    expect(o.status).toBe('ACCEPTED');
    h.fake.faults.failRest('/api/v3/order', 503, 1);
    oms.cancel(o.id, 'kill switch');
    await client.idle();
    // The 503 came before the exchange touched the order: it still rests there.
    expect(atExchange(o)).toBe('NEW');
    for (let i = 0; i < 3 && o.status !== 'CANCELED'; i++) {
      await client.sync();
      await client.idle();
    }
    expect(atExchange(o)).toBe('CANCELED');
    expect(o.status).toBe('CANCELED');
    expect(o.reason).toBe('kill switch');
  });

  it('a cancel that overtakes its own submit (waiting for the order budget) still ends the order', async () => {
    await setup(1, 1_500);
    const first = send({ ...limit('1500'), quantity: toFixed('0.1') });
    await client.idle();
    const o = send(limit('1501'));
    // The submit waits for the budget; the cancel (not an order) is free to go at once.
    oms.cancel(o.id, 'kill switch');
    await until(() => atExchange(o) !== undefined, 'the delayed submit to reach the exchange');
    await client.idle();
    for (let i = 0; i < 3 && o.status !== 'CANCELED'; i++) {
      await client.sync();
      await client.idle();
    }
    expect(atExchange(o)).toBe('CANCELED');
    expect(o.status).toBe('CANCELED');
    expect(first.status).toBe('ACCEPTED');
  });

  it('a cancel answered by an acknowledgement only (no status, no filled) books the fills made before it', async () => {
    await setup(50, 10_000);
    // How ccxt parses the cancel answers of OKX, Bybit, Bitget, KuCoin and Kraken: the ids,
    // neither the order's status nor what it filled.
    const cancelOrder = h.exchange.cancelOrder.bind(h.exchange);
    h.exchange.cancelOrder = async (...args: Parameters<typeof cancelOrder>) => {
      const o = await cancelOrder(...args);
      return { id: o.id, clientOrderId: o.clientOrderId, info: {} } as unknown as typeof o;
    };
    // Each print at or below 2001 fills 1 of the 3 (the tape trades 1 at a time).
    const o = send({ ...limit('2001'), quantity: toFixed(3) });
    await client.idle();
    expect(o.status).toBe('ACCEPTED');
    const at = (): { executedQty: bigint } | undefined =>
      h.fake.account.orders('spot').find((x) => x.clientOrderId === `qts${o.id}`);
    for (let i = 0; i < 60 && (at()?.executedQty ?? 0n) === 0n; i++) h.fake.step(1);
    const executed = at()?.executedQty ?? 0n;
    expect(executed).toBeGreaterThan(0n);
    // The cancel goes out before any lookup booked that fill.
    expect(o.filledQty).toBe(0n);
    oms.cancel(o.id, 'kill switch');
    await until(() => o.isTerminal, 'the order to end');
    await client.idle();
    expect(atExchange(o)).toBe('CANCELED');
    expect(o.status).toBe('CANCELED');
    expect(o.filledQty).toBe(executed * FIXED_PER_UNIT);
  });
});
