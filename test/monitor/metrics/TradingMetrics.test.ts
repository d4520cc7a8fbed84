import fc from 'fast-check';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { toFixed, toNumber } from '../../../src/core/Fixed.js';
import { ORDER_EVENTS } from '../../../src/kernel/topics.js';
import type { OrderEvent } from '../../../src/model/events.js';
import type { OrderRequest } from '../../../src/model/OrderRequest.js';
import { parseSizing } from '../../../src/portfolio/Sizer.js';
import { EngineSnapshotter } from '../../../src/monitor/metrics/EngineSnapshotter.js';
import { instrumentFastify } from '../../../src/monitor/metrics/instrumentFastify.js';
import { OrderEventMetrics } from '../../../src/monitor/metrics/OrderEventMetrics.js';
import { TradingMetrics } from '../../../src/monitor/metrics/TradingMetrics.js';
import type { Bar } from '../../../src/model/Bar.js';
import { MIN, flatBar } from './flatBar.js';
import { simNode } from '../../node/support/simNode.js';

type Labels = Record<string, string | number>;
/** A sample as prom-client reports it; histogram samples name their series (`_bucket`, `_sum`, `_count`). */
interface Sample {
  readonly labels: Partial<Record<string, string | number>>;
  readonly value: number;
  readonly metricName?: string;
}

/** Value of one series of a metric of `m` (0 when the series does not exist). */
async function value(m: TradingMetrics, name: string, labels: Labels = {}): Promise<number> {
  const metric = m.registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const values: readonly Sample[] = (await metric.get()).values;
  const hit = values.find(
    (v) =>
      (v.metricName ?? name) === name &&
      Object.keys(labels).length === Object.keys(v.labels).length &&
      Object.entries(labels).every(([k, x]) => v.labels[k] === x),
  );
  return hit?.value ?? 0;
}

/** Histogram count and sum (unlabelled). */
async function histogram(m: TradingMetrics, name: string): Promise<{ count: number; sum: number }> {
  const metric = m.registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const values: readonly Sample[] = (await metric.get()).values;
  return {
    count: values.find((v) => v.metricName === `${name}_count`)?.value ?? 0,
    sum: values.find((v) => v.metricName === `${name}_sum`)?.value ?? 0,
  };
}

function req(
  symbol: string,
  side: 'BUY' | 'SELL',
  qty: string,
  type: 'MARKET' | 'LIMIT' = 'MARKET',
  price?: string,
): OrderRequest {
  return {
    symbol,
    side,
    type,
    quantity: toFixed(qty),
    ...(price === undefined ? {} : { price: toFixed(price) }),
    timeInForce: 'GTC',
    postOnly: false,
    reduceOnly: false,
  };
}

/** A real node with the simulated venue, as shadow mode builds it, on a test clock. */
function engine(maxOrderNotional = 50_000) {
  const {
    clock,
    node,
    feed: feedVenue,
  } = simNode({
    sizing: parseSizing('percent:10', toFixed('0.0001')),
    riskLimits: { maxOrderNotional },
  });
  node.registerFeed('BTC/USDT', '1m');
  node.start();
  const lastData = new Map<string, number>();
  const feed = (b: Bar): void => {
    clock.advanceTo(b.ts + MIN);
    lastData.set(b.symbol, clock.now());
    feedVenue(b);
  };
  return { node, clock, feed, lastData };
}

describe('TradingMetrics fed by a real engine', () => {
  it('counts submitted, denied and filled orders with their labels, times them, and snapshots the account', async () => {
    const { node, clock, feed, lastData } = engine(5_000);
    const metrics = new TradingMetrics({ processMetrics: false });
    const orders = new OrderEventMetrics(metrics, () => clock.now());
    node.bus.subscribe(ORDER_EVENTS, (e) => orders.onEvent(e));
    const snap = new EngineSnapshotter(
      { node, lastData },
      {
        symbols: ['BTC/USDT', 'ETH/USDT'],
        staleAfterMs: 2 * MIN,
        strategiesRunning: () => 3,
        now: () => clock.now(),
      },
    );
    metrics.attachEngine(() => snap.snapshot());

    feed(flatBar(0, 100));
    node.submit('s1', req('BTC/USDT', 'BUY', '10'));
    node.submit('s1', req('BTC/USDT', 'BUY', '1000')); // 100 000 notional > 5 000: denied
    node.submit('s2', req('BTC/USDT', 'BUY', '5', 'LIMIT', '99'));
    feed(flatBar(1, 98)); // the limit order fills on this bar's low
    feed(flatBar(2, 110));

    expect(
      await value(metrics, 'trading_orders_total', {
        strategy: 's1',
        symbol: 'BTC/USDT',
        side: 'BUY',
        type: 'MARKET',
      }),
    ).toBe(2);
    expect(
      await value(metrics, 'trading_orders_total', {
        strategy: 's2',
        symbol: 'BTC/USDT',
        side: 'BUY',
        type: 'LIMIT',
      }),
    ).toBe(1);
    expect(await value(metrics, 'trading_orders_failed_total', { reason: 'ERR_RISK_MAX_NOTIONAL' })).toBe(1);
    expect(node.oms.orderCounts().filled).toBe(2);
    expect(
      await value(metrics, 'trading_fills_total', {
        strategy: 's1',
        symbol: 'BTC/USDT',
        side: 'BUY',
        liquidity: 'TAKER',
      }),
    ).toBe(1);
    // Both sent orders were answered by the venue: one latency sample each, none pending.
    expect((await histogram(metrics, 'trading_order_latency_seconds')).count).toBe(2);
    expect(orders.inFlight).toBe(0);

    const text = await metrics.exposition();
    const ledger = node.portfolio.ledger;
    const pos = ledger.position('BTC/USDT');
    // 15 BTC bought at 100 and 99, marked at 110.
    expect(toNumber(pos.qty)).toBe(15);
    const unrealized = 15 * 110 - toNumber(pos.costBasis);
    expect(await value(metrics, 'trading_pnl_total')).toBeCloseTo(
      toNumber(ledger.realizedPnl()) + unrealized,
      9,
    );
    expect(await value(metrics, 'trading_equity')).toBe(node.portfolio.equity());
    expect(await value(metrics, 'trading_exposure')).toBeCloseTo(15 * 110, 9);
    expect(await value(metrics, 'trading_positions_count')).toBe(1);
    expect(await value(metrics, 'trading_strategies_running')).toBe(3);
    expect(await value(metrics, 'trading_fees_paid')).toBeCloseTo(toNumber(ledger.feesPaid('USDT')), 12);
    expect(await value(metrics, 'trading_risk_state', { state: 'ACTIVE' })).toBe(1);
    expect(await value(metrics, 'trading_risk_state', { state: 'HALTED' })).toBe(0);
    // BTC's last bar arrived at the clock's now; ETH never had data: stale, and no lag sample.
    expect(await value(metrics, 'trading_market_data_lag_seconds', { symbol: 'BTC/USDT' })).toBe(0);
    expect(await value(metrics, 'trading_market_data_stale', { symbol: 'BTC/USDT' })).toBe(0);
    expect(await value(metrics, 'trading_market_data_stale', { symbol: 'ETH/USDT' })).toBe(1);
    expect(text).not.toContain('trading_market_data_lag_seconds{symbol="ETH/USDT"}');

    // Prices fall: drawdown from the peak seen; three minutes of silence make BTC stale.
    node.onBar(flatBar(3, 80));
    clock.advanceTo(clock.now() + 3 * MIN);
    node.risk.setState('HALTED');
    await metrics.exposition();
    const peak = 10_000 - toNumber(ledger.feesPaid('USDT')) + unrealized;
    const now = node.portfolio.equity();
    expect(await value(metrics, 'trading_drawdown_ratio')).toBeCloseTo(1 - now / peak, 9);
    expect(await value(metrics, 'trading_market_data_lag_seconds', { symbol: 'BTC/USDT' })).toBe(180);
    expect(await value(metrics, 'trading_market_data_stale', { symbol: 'BTC/USDT' })).toBe(1);
    expect(await value(metrics, 'trading_risk_state', { state: 'HALTED' })).toBe(1);
    expect(await value(metrics, 'trading_risk_state', { state: 'ACTIVE' })).toBe(0);
  });

  it('counts a spot buy fee taken in the coin at its fill price, and lists a BNB fee apart', async () => {
    // Binance spot: a buy pays its fee in the coin bought, a sell in the USDT received.
    const { clock, node, feed } = simNode({
      feeSide: 'get',
      sizing: parseSizing('percent:10', toFixed('0.0001')),
    });
    node.registerFeed('BTC/USDT', '1m');
    node.start();
    const fills: { px: number; fee: number; feeCurrency: string }[] = [];
    node.bus.subscribe(ORDER_EVENTS, (e) => {
      if (e.type === 'OrderFilled')
        fills.push({ px: toNumber(e.lastPx), fee: toNumber(e.fee), feeCurrency: e.feeCurrency });
    });
    const metrics = new TradingMetrics({ processMetrics: false });
    const snap = new EngineSnapshotter(
      { node, lastData: new Map() },
      { symbols: ['BTC/USDT'], staleAfterMs: 2 * MIN, strategiesRunning: () => 1, now: () => clock.now() },
    );
    metrics.attachEngine(() => snap.snapshot());

    feed(flatBar(0, 100));
    node.submit('s1', req('BTC/USDT', 'BUY', '10'));
    feed(flatBar(1, 120));
    node.submit('s1', req('BTC/USDT', 'SELL', '4'));
    feed(flatBar(2, 130));
    expect(fills.map((f) => f.feeCurrency)).toEqual(['BTC', 'USDT']);
    const [buy, sell] = fills;
    // 0.1 % of 10 BTC = 0.01 BTC taken from the coins, worth 0.01 × 100 = 1 USDT at its fill
    // (1.3 at the last price, 130: the fee is valued when it was paid).
    expect(buy?.fee).toBe(0.01);
    expect(buy?.px).toBe(100);
    expect(sell?.px).toBe(120);
    expect(sell?.fee).toBeCloseTo(4 * 120 * 0.001, 12);
    await metrics.exposition();
    expect(await value(metrics, 'trading_fees_paid')).toBeCloseTo(0.01 * 100 + 4 * 120 * 0.001, 12);

    // A live account paying with BNB: the exchange reports the fee in BNB, which has no price here.
    node.portfolio.applyFill({
      type: 'OrderFilled',
      orderId: 'live-1',
      strategyId: 's1',
      symbol: 'BTC/USDT',
      ts: clock.now(),
      eventId: 'e-live-1',
      tradeId: 't-live-1',
      side: 'SELL',
      lastQty: toFixed('1'),
      lastPx: toFixed('130'),
      fee: toFixed('0.0002'),
      feeCurrency: 'BNB',
      liquidity: 'TAKER',
    });
    await metrics.exposition();
    expect(await value(metrics, 'trading_fees_paid')).toBeCloseTo(0.01 * 100 + 4 * 120 * 0.001, 12);
    expect(await value(metrics, 'trading_fees_paid_unvalued', { currency: 'BNB' })).toBe(0.0002);
  });

  it('exposes only process and HTTP metrics when the engine trades nothing (api mode)', async () => {
    const metrics = new TradingMetrics({ trading: false });
    metrics.setMode('api');
    metrics.orders.inc({ strategy: 's', symbol: 'X/Y', side: 'BUY', type: 'MARKET' });
    const text = await metrics.exposition();
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('trading_engine_info{mode="api"} 1');
    expect(text).toContain('# TYPE trading_http_requests_total counter');
    expect(text).not.toContain('trading_orders_total');
    expect(text).not.toContain('trading_equity');
  });

  it('labels HTTP requests by route pattern, not by URL', async () => {
    const metrics = new TradingMetrics({ processMetrics: false });
    const app = Fastify();
    instrumentFastify(app, metrics);
    app.get('/api/v1/orders/:id', () => ({ ok: true }));
    await app.inject({ url: '/api/v1/orders/Q1' });
    await app.inject({ url: '/api/v1/orders/Q2' });
    await app.inject({ url: '/nope/123' });
    await app.close();
    expect(
      await value(metrics, 'trading_http_requests_total', {
        method: 'GET',
        route: '/api/v1/orders/:id',
        status: '200',
      }),
    ).toBe(2);
    expect(
      await value(metrics, 'trading_http_requests_total', {
        method: 'GET',
        route: 'unmatched',
        status: '404',
      }),
    ).toBe(1);
  });

  it('counts exchange problems and rate-limit waits with their seconds, and reads WebSocket clients at scrape', async () => {
    const metrics = new TradingMetrics({ processMetrics: false });
    metrics.recordExchangeProblem('binance', 'rate_limit', true, 1500);
    metrics.recordExchangeProblem('binance', 'rate_limit', true, 500);
    metrics.recordExchangeProblem('binance', 'network', false, 700);
    let clients = 3;
    metrics.readWsClientsFrom(() => clients);
    await metrics.exposition();
    expect(await value(metrics, 'trading_ws_clients')).toBe(3);
    clients = 1;
    await metrics.exposition();
    expect(await value(metrics, 'trading_ws_clients')).toBe(1);
    expect(
      await value(metrics, 'trading_exchange_request_errors_total', {
        exchange: 'binance',
        reason: 'rate_limit',
      }),
    ).toBe(2);
    expect(
      await value(metrics, 'trading_exchange_request_errors_total', {
        exchange: 'binance',
        reason: 'network',
      }),
    ).toBe(1);
    expect(
      await value(metrics, 'trading_exchange_rate_limit_waits_total', {
        exchange: 'binance',
        reason: 'rate_limit',
      }),
    ).toBe(2);
    expect(
      await value(metrics, 'trading_exchange_rate_limit_wait_seconds_total', {
        exchange: 'binance',
        reason: 'rate_limit',
      }),
    ).toBe(2);
    expect(
      await value(metrics, 'trading_exchange_rate_limit_waits_total', {
        exchange: 'binance',
        reason: 'network',
      }),
    ).toBe(0);
  });
});

// ── property: counters agree with a model of any interleaving of order lifecycles ─────────

type Outcome =
  | { kind: 'denied'; code: string }
  | { kind: 'rejected'; code: string }
  | { kind: 'accepted'; fills: number; canceled: boolean }
  | { kind: 'filledFirst'; fills: number };

interface Spec {
  strategy: string;
  symbol: string;
  side: 'BUY' | 'SELL';
  type: 'MARKET' | 'LIMIT';
  outcome: Outcome;
  /** Wall ms between successive events of this order. */
  gaps: number[];
}

const codeArb = fc.constantFrom('ERR_RISK_MAX_NOTIONAL', 'ERR_RISK_HALTED', 'ERR_VENUE_POST_ONLY');
const specArb: fc.Arbitrary<Spec> = fc.record({
  strategy: fc.constantFrom('s1', 's2', 'kill-switch'),
  symbol: fc.constantFrom('BTC/USDT', 'ETH/USDT'),
  side: fc.constantFrom('BUY' as const, 'SELL' as const),
  type: fc.constantFrom('MARKET' as const, 'LIMIT' as const),
  outcome: fc.oneof(
    fc.record({ kind: fc.constant('denied' as const), code: codeArb }),
    fc.record({ kind: fc.constant('rejected' as const), code: codeArb }),
    fc.record({ kind: fc.constant('accepted' as const), fills: fc.nat(3), canceled: fc.boolean() }),
    fc.record({ kind: fc.constant('filledFirst' as const), fills: fc.integer({ min: 1, max: 3 }) }),
  ),
  gaps: fc.array(fc.nat(5_000), { minLength: 8, maxLength: 8 }),
});

/** The events of one order's life, in order. */
function lifecycle(id: string, s: Spec): OrderEvent[] {
  const base = { orderId: id, strategyId: s.strategy, symbol: s.symbol, ts: 0, eventId: '' };
  const request = req(s.symbol, s.side, '1', s.type, s.type === 'LIMIT' ? '100' : undefined);
  const fill = (k: number): OrderEvent => ({
    ...base,
    type: 'OrderFilled',
    tradeId: `${id}-${k}`,
    side: s.side,
    lastQty: toFixed('0.25'),
    lastPx: toFixed('100'),
    fee: toFixed('0.01'),
    feeCurrency: 'USDT',
    liquidity: s.type === 'LIMIT' ? 'MAKER' : 'TAKER',
  });
  const out: OrderEvent[] = [{ ...base, type: 'OrderInitialized', request }];
  const o = s.outcome;
  if (o.kind === 'denied') return [...out, { ...base, type: 'OrderDenied', code: o.code, reason: 'no' }];
  out.push({ ...base, type: 'OrderSubmitted' });
  if (o.kind === 'rejected') return [...out, { ...base, type: 'OrderRejected', code: o.code, reason: 'no' }];
  if (o.kind === 'filledFirst') {
    out.push(fill(0), { ...base, type: 'OrderAccepted', venueOrderId: `v${id}` });
    for (let k = 1; k < o.fills; k++) out.push(fill(k));
    return out;
  }
  out.push({ ...base, type: 'OrderAccepted', venueOrderId: `v${id}` });
  for (let k = 0; k < o.fills; k++) out.push(fill(k));
  if (o.canceled) out.push({ ...base, type: 'OrderCanceled', reason: 'by strategy' });
  return out;
}

describe('OrderEventMetrics (property)', () => {
  it('orders, failures, fills and latencies equal a model of the events, for any interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(specArb, { maxLength: 25 }),
        fc.array(fc.nat(), { maxLength: 300 }),
        async (specs, picks) => {
          const metrics = new TradingMetrics({ processMetrics: false });
          let now = 1_000_000;
          const orders = new OrderEventMetrics(metrics, () => now);
          const queues = specs.map((s, i) => ({ spec: s, events: lifecycle(`Q${i}`, s), next: 0 }));
          // Model: expected counters and latency samples, computed from the specs and the times used.
          const submitted = new Map<string, number>();
          const latencies: number[] = [];
          let p = 0;
          for (;;) {
            const live = queues.filter((q) => q.next < q.events.length);
            if (live.length === 0) break;
            const q = live[(picks[p++] ?? 0) % live.length]!;
            now += q.spec.gaps[q.next % q.spec.gaps.length]!;
            const e = q.events[q.next++]!;
            if (e.type === 'OrderSubmitted') submitted.set(e.orderId, now);
            if ((e.type === 'OrderAccepted' || e.type === 'OrderFilled') && submitted.has(e.orderId)) {
              latencies.push((now - submitted.get(e.orderId)!) / 1000);
              submitted.delete(e.orderId);
            }
            orders.onEvent(e);
          }
          const count = (f: (s: Spec) => boolean) => specs.filter(f).length;
          for (const strategy of ['s1', 's2', 'kill-switch'])
            for (const symbol of ['BTC/USDT', 'ETH/USDT'])
              for (const side of ['BUY', 'SELL'] as const)
                for (const type of ['MARKET', 'LIMIT'] as const) {
                  const want = count(
                    (s) =>
                      s.strategy === strategy && s.symbol === symbol && s.side === side && s.type === type,
                  );
                  expect(await value(metrics, 'trading_orders_total', { strategy, symbol, side, type })).toBe(
                    want,
                  );
                  const fills = specs
                    .filter(
                      (s) =>
                        s.strategy === strategy && s.symbol === symbol && s.side === side && s.type === type,
                    )
                    .reduce(
                      (n, s) =>
                        n +
                        (s.outcome.kind === 'accepted' || s.outcome.kind === 'filledFirst'
                          ? s.outcome.fills
                          : 0),
                      0,
                    );
                  const liquidity = type === 'LIMIT' ? 'MAKER' : 'TAKER';
                  expect(
                    await value(metrics, 'trading_fills_total', { strategy, symbol, side, liquidity }),
                  ).toBe(fills);
                }
          for (const reason of ['ERR_RISK_MAX_NOTIONAL', 'ERR_RISK_HALTED', 'ERR_VENUE_POST_ONLY']) {
            const want = count(
              (s) =>
                (s.outcome.kind === 'denied' || s.outcome.kind === 'rejected') && s.outcome.code === reason,
            );
            expect(await value(metrics, 'trading_orders_failed_total', { reason })).toBe(want);
          }
          const h = await histogram(metrics, 'trading_order_latency_seconds');
          expect(h.count).toBe(
            count((s) => s.outcome.kind === 'accepted' || s.outcome.kind === 'filledFirst'),
          );
          expect(h.count).toBe(latencies.length);
          expect(h.sum).toBeCloseTo(
            latencies.reduce((a, b) => a + b, 0),
            6,
          );
          // Every order ended or was answered: nothing left being timed.
          expect(orders.inFlight).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });
});
