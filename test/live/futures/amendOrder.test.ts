/**
 * Amend in place: the fake's Modify Order (PUT /fapi/v1/order) through an unmodified ccxt
 * binanceusdm, then through our client in a live session (same exchange id, same client id,
 * fills at the amended price, books equal the exchange's), and the refusal where the exchange
 * cannot amend in place (no cancel-and-replace behind the OMS's back).
 */
import { rethrowReportFault } from '../support/liveHarness.js';
import { OrderNotFound } from 'ccxt';
import type { Exchange } from 'ccxt';
import { describe, expect, it } from 'vitest';
import type { LiveVenue } from '../../../src/app/LiveVenue.js';
import { parseFixed } from '../../../src/core/Fixed.js';
import type { Fixed } from '../../../src/core/Fixed.js';
import { CcxtExecutionClient } from '../../../src/exchanges/ccxt/CcxtExecutionClient.js';
import { capabilitiesOf } from '../../../src/exchanges/ccxt/executionCapabilities.js';
import { RequestGate } from '../../../src/exchanges/ccxt/RequestGate.js';
import { Order } from '../../../src/model/Order.js';
import type { OrderRequest } from '../../../src/model/OrderRequest.js';
import type { FakeBinance } from '../../support/fakeBinance/FakeBinance.js';
import {
  PERP,
  PERP_ID,
  futuresConfig,
  perpTape,
  settled,
  startLive,
  tradingExchange,
  until,
} from './support/futuresHarness.js';
import { E8, closeAfterEach, exchangeWallet, openFake, tempDbPath } from './support/futuresFixtures.js';

function limit(side: 'BUY' | 'SELL', qty: string, price: string): OrderRequest {
  return {
    symbol: PERP,
    side,
    type: 'LIMIT',
    quantity: parseFixed(qty),
    price: parseFixed(price),
    timeInForce: 'GTC',
    postOnly: false,
    reduceOnly: false,
    tag: 'test',
  };
}

/** The lowest price the tape prints from the cursor over the next `n` trades. */
function lowAhead(fake: FakeBinance, n: number): number {
  const m = fake.market('XRP/USDT');
  let low = Number.POSITIVE_INFINITY;
  for (let i = m.cursor; i < Math.min(m.cursor + n, m.tape.price.length); i++)
    low = Math.min(low, Number(m.tape.price[i]));
  return low;
}

describe('amend in place (Modify Order)', () => {
  const closers = closeAfterEach();

  async function fakeAndClient(): Promise<{ fake: FakeBinance; ex: Exchange }> {
    const fake = await openFake(closers, perpTape(30));
    const ex = await tradingExchange(fake);
    await ex.loadMarkets();
    closers.push(() => ex.close());
    return { fake, ex };
  }

  it('the fake amends price and quantity, keeping the order id and client id; refuses no-ops and unknown orders', async () => {
    const { fake, ex } = await fakeAndClient();
    const placed = await ex.createOrder(PERP, 'limit', 'buy', 50, 1.0, { clientOrderId: 'ours-amend-1' });
    const edited = await ex.editOrder(String(placed.id), PERP, 'limit', 'buy', 30, 1.01);
    expect([edited.id, edited.clientOrderId, edited.amount, edited.price, edited.status]).toEqual([
      placed.id,
      'ours-amend-1',
      30,
      1.01,
      'open',
    ]);
    const atFake = fake.account.orderByClientId('ours-amend-1');
    expect([atFake?.origQty, atFake?.price]).toEqual([30n * E8, 101_000_000n]);
    expect(fake.account.ordersCreated('ours-amend-1')).toBe(1);
    await expect(ex.editOrder(String(placed.id), PERP, 'limit', 'buy', 30, 1.01)).rejects.toThrow(
      /-5027|No need to modify/,
    );
    await expect(ex.editOrder('999999', PERP, 'limit', 'buy', 30, 1.02)).rejects.toThrow(OrderNotFound);
  });

  it('amends a resting order of a live session through the OMS: it fills at the new terms, books equal the exchange', async () => {
    const trades = perpTape(40);
    const fake = await openFake(closers, trades);
    const rt = await startLive(
      fake,
      futuresConfig(tempDbPath('qts-amend-'), {
        strategies: [
          {
            id: 'idle',
            strategy: 'sma-cross',
            symbols: [PERP],
            timeframe: '1m',
            params: { fast: 50, slow: 200 },
            sizing: 'fixed:100',
          },
        ],
      }),
    );
    closers.push(() => rt.stop());
    const client = (rt.venue as LiveVenue).client;
    await fake.waitForSubscription('xrpusdt@trade', 10_000);
    fake.step(2);
    await until(() => rt.lastData.has(PERP), 'market data');
    // Far below the market: it rests.
    const order = rt.node.submit('manual', limit('BUY', '100', '1.0'));
    await settled(rt);
    expect([order.status, order.reason]).toEqual(['ACCEPTED', undefined]);
    const clientId = client.clientIdOf(order.id);
    const venueId = order.venueOrderId;
    // Move it to where the tape will trade, and make it smaller.
    const target = lowAhead(fake, 40) + 0.0001;
    const price = parseFixed(target.toFixed(4));
    // Through the OMS: intent journaled, then the exchange's confirmation sets the new terms.
    rt.node.amend(order.id, { price, quantity: parseFixed('60') }, 'chase the tape');
    expect([order.request.price, order.pendingAmend?.price]).toEqual([parseFixed('1.0'), price]);
    await until(() => order.pendingAmend === undefined, 'the amend answer');
    expect(order.events.at(-1)).toMatchObject({ type: 'OrderAmended', reason: 'chase the tape' });
    expect(client.amendedTerms(order.id)).toEqual({ price, quantity: parseFixed('60') });
    expect([order.request.price, order.quantity]).toEqual([price, parseFixed('60')]);
    const atFake = fake.account.orderByClientId(clientId);
    expect([atFake?.orderId, atFake?.origQty, atFake?.price]).toEqual([
      Number(venueId),
      60n * E8,
      price / E8,
    ]);
    expect(fake.account.ordersCreated(clientId)).toBe(1);
    expect(() => rt.node.amend(order.id, { quantity: parseFixed('150') }, 'more')).toThrow(/quantity/);
    await expect(client.amend(order, { quantity: parseFixed('150') })).rejects.toMatchObject({
      code: 'ERR_AMEND_QUANTITY',
    });
    while (!order.isTerminal) {
      expect(fake.step(1)).toBe(1);
      await client.sync();
    }
    // The OMS holds the amended quantity, so the order ends filled (before the OMS knew the
    // new terms it ended CANCELED with 60 of 100 filled).
    expect(order.status).toBe('FILLED');
    expect(order.filledQty).toBe(parseFixed('60'));
    expect(order.avgPx).toBe(price);
    expect(rt.node.portfolio.positionQty(PERP)).toBe(
      (fake.account.futuresLedger.position(PERP_ID).amt * E8) as Fixed,
    );
    expect(rt.node.portfolio.cash('USDT')).toBe(exchangeWallet(fake));
    await until(() => client.inFlight() === 0, 'idle');
  }, 60_000);

  it('refuses where the exchange cannot amend in place, before any request', async () => {
    const { fake, ex } = await fakeAndClient();
    const caps = capabilitiesOf('binance');
    if (caps === undefined) throw new Error('binance missing from the capability map');
    const client = new CcxtExecutionClient({
      onReportFault: rethrowReportFault,
      exchange: ex,
      capabilities: caps,
      clientIdPrefix: 'qts',
      gate: new RequestGate({
        now: () => Date.now(),
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        maxOrders: 10,
        windowMs: 1000,
        retryAfter: () => undefined,
      }),
      now: () => Date.now(),
      resolveWithinMs: 1000,
    });
    const before = fake.privateRequestCount();
    const order = new Order('Q000001', 'manual', limit('BUY', '10', '1.0'), Date.now());
    await expect(client.amend(order, { price: parseFixed('1.01') })).rejects.toMatchObject({
      code: 'ERR_AMEND_NOT_SUPPORTED',
    });
    expect(fake.privateRequestCount()).toBe(before);
    expect(capabilitiesOf('binanceusdm')?.amend).toBe(true);
  });
});
