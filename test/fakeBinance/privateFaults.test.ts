import { DDoSProtection, ExchangeNotAvailable, NetworkError, RequestTimeout } from 'ccxt';
import type { Exchange } from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import { until } from './helpers.js';
import { closeAll, ethSpotSession, signedFetch } from './privateHelpers.js';

const SYMBOL = 'ETH/USDT';

/** REST faults as ccxt sees them, and what the fake did with the request underneath. */
describe('FakeBinance REST faults on the private API', () => {
  let fake: FakeBinance;
  let ex: Exchange;

  beforeEach(async () => ({ fake, ex } = await ethSpotSession()));
  afterEach(() => closeAll(fake, ex));

  const limitBuy = (clientOrderId: string): Promise<unknown> =>
    ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, 1900, { clientOrderId });

  it('latency below the client timeout only delays; above it the client times out but the order is placed', async () => {
    ex.timeout = 400;
    fake.faults.latency('/api/v3/order', 50, 1);
    await limitBuy('ours-slow');
    expect(fake.account.orderByClientId('ours-slow')?.status).toBe('NEW');
    fake.faults.latency('/api/v3/order', 1000, 1);
    await expect(limitBuy('ours-late')).rejects.toBeInstanceOf(RequestTimeout);
    await until(
      () => fake.account.orderByClientId('ours-late') !== undefined,
      'the late order to be processed',
    );
    const found = await ex.fetchOrder('', SYMBOL, { origClientOrderId: 'ours-late' });
    expect(found.status).toBe('open');
  });

  it('a dropped response: ccxt gets a NetworkError, the order exists and is found by client id', async () => {
    fake.faults.dropResponses('/api/v3/order', 1);
    await expect(limitBuy('ours-dropped')).rejects.toBeInstanceOf(NetworkError);
    expect(fake.account.ordersCreated('ours-dropped')).toBe(1);
    const found = await ex.fetchOrder('', SYMBOL, { origClientOrderId: 'ours-dropped' });
    expect([found.clientOrderId, found.status]).toEqual(['ours-dropped', 'open']);
  });

  it('a 5xx after the order was accepted: ExchangeNotAvailable, yet the order is live', async () => {
    fake.faults.failAfterProcessing('/api/v3/order', 1);
    await expect(limitBuy('ours-5xx')).rejects.toBeInstanceOf(ExchangeNotAvailable);
    expect(fake.account.orderByClientId('ours-5xx')?.status).toBe('NEW');
    expect((await ex.fetchOpenOrders(SYMBOL)).map((o) => o.clientOrderId)).toEqual(['ours-5xx']);
    // A blind resend of the same client id is refused while the first is open: no double order.
    await expect(limitBuy('ours-5xx')).rejects.toThrow(/Duplicate order sent/);
    expect(fake.account.ordersCreated('ours-5xx')).toBe(1);
  });

  it('a request that is never answered: RequestTimeout, nothing placed', async () => {
    ex.timeout = 300;
    fake.faults.hang('/api/v3/order', 1);
    await expect(limitBuy('ours-hung')).rejects.toBeInstanceOf(RequestTimeout);
    expect(fake.log.filter((e) => e.path === '/api/v3/order').length).toBe(1);
    expect(fake.account.ordersCreated('ours-hung')).toBe(0);
  });

  it('429 with Retry-After opens a window in which every request is refused and counted', async () => {
    fake.faults.rateLimit(429, 1);
    const first = await fetch(`${fake.restUrl}/api/v3/ping`);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('1');
    expect(((await first.json()) as { code: number }).code).toBe(-1003);
    expect(fake.faults.requestsDuringBan).toBe(0);
    // An impatient client: refused, and the fake counts it.
    await expect(ex.fetchBalance()).rejects.toBeInstanceOf(DDoSProtection);
    expect(fake.faults.requestsDuringBan).toBe(1);
    // A client that honours Retry-After waits it out, then succeeds without adding to the count.
    const retryAfterMs = Number(first.headers.get('retry-after')) * 1000;
    const bannedAt = Date.now();
    await until(() => Date.now() - bannedAt >= retryAfterMs, 'Retry-After to pass', retryAfterMs + 2000);
    expect((await ex.fetchBalance())['ETH']?.free).toBe(5);
    expect(fake.faults.requestsDuringBan).toBe(1);
  });

  it('418 (IP ban) is DDoSProtection for ccxt, with Retry-After', async () => {
    fake.faults.rateLimit(418, 2, '/api/v3/account');
    await expect(ex.fetchBalance()).rejects.toBeInstanceOf(DDoSProtection);
    const during = await signedFetch(fake, 'GET', '/api/v3/openOrders', {});
    expect(during.status).toBe(418);
    expect(fake.faults.requestsDuringBan).toBe(1);
    expect(fake.account.orders()).toEqual([]);
  });

  it('failRest before processing: ccxt errors and nothing is placed', async () => {
    fake.faults.failRest('/api/v3/order', 503, 1);
    await expect(limitBuy('ours-503')).rejects.toBeInstanceOf(ExchangeNotAvailable);
    expect(fake.account.ordersCreated('ours-503')).toBe(0);
  });

  it('random faults are reproducible from the seed, and an order exists exactly when the fault let it through', async () => {
    const run = async (f: FakeBinance, client: Exchange): Promise<string[]> => {
      f.faults.random({ seed: 42, rate: 0.6, pathPrefix: '/api/v3/order', maxLatencyMs: 20 });
      const outcomes: string[] = [];
      for (let i = 0; i < 16; i++) {
        try {
          await client.createOrder(SYMBOL, 'limit', 'buy', 0.01, 1900 + i, {
            clientOrderId: `ours-chaos-${i}`,
          });
          outcomes.push('ok');
        } catch (e) {
          outcomes.push((e as Error).constructor.name);
        }
      }
      return outcomes;
    };
    const outcomes = await run(fake, ex);
    const faults = fake.faults.randomFaults.map((r) => r.kind);
    expect(faults.length).toBeGreaterThan(3);
    expect(new Set(faults).size).toBeGreaterThan(1);
    // Processed unless refused up front (fail-before, rate-limit).
    const refused = outcomes.filter((o) => o !== 'ok').length;
    const notPlaced = faults.filter((k) => k === 'fail-before' || k === 'rate-limit').length;
    expect(refused).toBeGreaterThanOrEqual(notPlaced);
    expect(fake.account.orders().length).toBe(16 - notPlaced);
    for (let i = 0; i < 16; i++) expect(fake.account.ordersCreated(`ours-chaos-${i}`)).toBeLessThanOrEqual(1);

    const { fake: twin, ex: twinEx } = await ethSpotSession();
    try {
      expect(await run(twin, twinEx)).toEqual(outcomes);
      expect(twin.faults.randomFaults.map((r) => r.kind)).toEqual(faults);
    } finally {
      await closeAll(twin, twinEx);
    }
  });
});
