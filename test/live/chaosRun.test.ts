import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ccxt from 'ccxt';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { LiveVenue } from '../../src/app/LiveVenue.js';
import { liveVariant } from '../../src/app/liveVariant.js';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { Rng } from '../../src/core/Rng.js';
import { ORDER_EVENTS, barsTopic } from '../../src/kernel/topics.js';
import type { RequestGate } from '../../src/exchanges/ccxt/RequestGate.js';
import { FillStore } from '../../src/storage/sqlite/FillStore.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import {
  SYMBOL,
  KEYS,
  duplicateOrders,
  exchangeTotal,
  exchangeTradeIds,
  startFake,
  tape,
  tradingExchange,
  until,
  liveTestConfig,
} from './support/liveHarness.js';

const SEED = Number(process.env['QTS_CHAOS_SEED'] ?? 4242);
const TIMEOUT_MS = 1_500;
const RANDOM_KINDS = ['latency', 'drop', 'fail-after', 'fail-before', 'hang', 'ban-429', 'ban-418'] as const;
const AIM_EVERY_MS = 600;
const ORDERS_PER_ORDER_FAULT = 3;
/**
 * Longest chaos phase (the tape lasts 100 s at 60 events/s); it ends as soon as enough
 * happened, usually after about 60 s — the headroom is for loaded CI machines.
 */
const CHAOS_CEILING_MS = 90_000;
/** What a run must at least show for its zeros to mean something. */
const ENOUGH = { orders: 40, resolved: 5 };

/** A seeded shuffle (Fisher-Yates). */
function shuffled<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * Chaos run: a live session, private streams on, with every fault of the fake switched on at
 * random (seeded). On every REST request to the host, market data included: latency, dropped
 * responses, 5xx before and after the order was processed, requests never answered
 * (timeouts), 429 and 418 bans with Retry-After. On the WebSocket side: user-data streams
 * dropped (resubscribed with a fresh signature), execution reports duplicated, reordered and
 * lost, market-data connections dropped. The three zeros: no order placed twice, no order of
 * unknown outcome past the resolution bound (see resolutionBoundMs: measured in time the
 * exchange was available), no request reaching the exchange while a ban ran. And each
 * exchange trade booked once, books equal to the exchange's.
 */
describe('chaos run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qts-chaos-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every fault on at random: 0 duplicate orders, 0 orders unknown past the bound, 0 requests during a ban', async () => {
    const fake = await startFake(tape(6000, 1_700_000_000_000, 15_000, 3));
    fake.step(5);
    const dbPath = join(dir, 'live.db');
    const config = liveTestConfig({
      dbPath,
      account: { currency: 'USDT', initialCash: 100_000, commission: 0.001 },
      sma: { id: 'sma', symbol: SYMBOL, fast: 2, slow: 3, sizing: 'fixed:0.1' },
      live: {
        reconcileIntervalMs: 400,
        resolveWithinMs: 2_500,
        requestTimeoutMs: TIMEOUT_MS,
        streams: true,
      },
    });
    const rt = await TradingRuntime.start(
      config,
      {
        log: pino({ level: process.env['QTS_TEST_LOG'] ?? 'silent' }),
        noHttp: true,
        noServices: true,
        exchangeFactory: async () => {
          const ex = new ccxt.pro.binance();
          ex.timeout = TIMEOUT_MS;
          await fake.configure(ex);
          return ex;
        },
      },
      liveVariant(KEYS, () => tradingExchange(fake, TIMEOUT_MS)),
    );
    const venue = rt.venue as LiveVenue;
    const gate = (venue as unknown as { gate: RequestGate }).gate;

    // REST: a seeded mix on every path of the host (private and market data alike).
    fake.faults.random({
      seed: SEED,
      rate: 0.07,
      kinds: [...RANDOM_KINDS],
      maxLatencyMs: 300,
      banSeconds: 1,
    });
    // Every AIM_EVERY_MS one seeded fault aimed where it hurts most: the next request to
    // /api/v3/order (a create, lookup or cancel), or the WebSocket side. The kinds come in
    // seeded rounds (each round every kind once, shuffled), so every kind is injected.
    const rng = new Rng(SEED);
    const aimed: Record<string, number> = {};
    const ORDER = '/api/v3/order';
    const AIMED: readonly [string, () => void][] = [
      ['order: 5xx after processing', () => fake.faults.failAfterProcessing(ORDER, 1)],
      ['order: response dropped', () => fake.faults.dropResponses(ORDER, 1)],
      ['order: never answered', () => fake.faults.hang(ORDER, 1)],
      ['order: 429 ban', () => fake.faults.rateLimit(429, 1, ORDER)],
      ['order: 5xx before processing', () => fake.faults.failRest(ORDER, 503, 1)],
      ['order: latency', () => fake.faults.latency(ORDER, 200 + Math.floor(rng.next() * 600), 1)],
      ['ws: user stream dropped', () => fake.faults.dropUserStreams()],
      ['ws: reports duplicated', () => fake.faults.duplicateExecutionReports(1 + Math.floor(rng.next() * 3))],
      ['ws: reports reordered', () => fake.faults.reorderExecutionReports(2 + Math.floor(rng.next() * 2))],
      ['ws: reports lost', () => fake.faults.dropExecutionReports(1 + Math.floor(rng.next() * 2))],
      ['ws: market streams dropped', () => fake.faults.dropConnections()],
    ];
    const orders = (): number => fake.account.orders('spot').length;
    // An order fault waits for the next /api/v3/order request; aim a new one only once
    // ORDERS_PER_ORDER_FAULT orders went out since the last. An order of unknown outcome keeps
    // the strategy from trading the symbol until it is resolved (up to the bound when it never
    // reached the exchange), so faulting every order would leave the run with a handful.
    let ordersAtAim = -ORDERS_PER_ORDER_FAULT;
    let round: (typeof AIMED)[number][] = [];
    const chaos = setInterval(() => {
      if (round.length === 0) round = shuffled(AIMED, rng);
      const onOrders = orders() >= ordersAtAim + ORDERS_PER_ORDER_FAULT;
      const i = round.findIndex(([name]) => onOrders || !name.startsWith('order:'));
      if (i < 0) return;
      const [name, inject] = round.splice(i, 1)[0] as (typeof AIMED)[number];
      if (name.startsWith('order:')) ordersAtAim = orders();
      aimed[name] = (aimed[name] ?? 0) + 1;
      inject();
    }, AIM_EVERY_MS);
    const randomKinds = (): Set<string> => new Set(fake.faults.randomFaults.map((f) => f.kind));
    // Chaos goes on until enough happened for the zeros to mean something (every fault kind,
    // enough orders and resolved unknown outcomes), within a ceiling.
    const enough = (): boolean =>
      orders() >= ENOUGH.orders + 10 &&
      venue.resolution.resolved >= ENOUGH.resolved + 3 &&
      AIMED.every(([name]) => (aimed[name] ?? 0) > 0) &&
      randomKinds().size === RANDOM_KINDS.length;
    // Where the strategy's time goes: bars it saw, and how long one of its orders was open
    // (it places nothing while one is: followLongFlat), of which how long of unknown outcome.
    let bars = 0;
    rt.node.bus.subscribe(barsTopic(SYMBOL, '1m'), () => (bars += 1));
    const openSince = new Map<string, number>();
    let busyFrom: number | undefined;
    let busyMs = 0;
    rt.node.bus.subscribe(ORDER_EVENTS, (e) => {
      const t = performance.now();
      if (e.type === 'OrderSubmitted') openSince.set(e.orderId, t);
      else if (e.type !== 'OrderAccepted' && e.type !== 'OrderInitialized' && e.type !== 'OrderTriggered') {
        const order = rt.node.oms.order(e.orderId);
        if (order === undefined || order.isTerminal) openSince.delete(e.orderId);
      }
      if (openSince.size > 0) busyFrom ??= t;
      else if (busyFrom !== undefined) {
        busyMs += t - busyFrom;
        busyFrom = undefined;
      }
    });
    const chaosStarted = performance.now();
    try {
      fake.play(60);
      await until(
        () => enough() || performance.now() - chaosStarted > CHAOS_CEILING_MS,
        'chaos',
        CHAOS_CEILING_MS + 5_000,
      );
    } finally {
      clearInterval(chaos);
      fake.pause();
    }
    const chaosMs = performance.now() - chaosStarted;
    const barsInChaos = bars;
    const busyInChaos = busyMs + (busyFrom === undefined ? 0 : performance.now() - busyFrom);
    const restFaults: Record<string, number> = {};
    for (const f of fake.faults.randomFaults) restFaults[f.kind] = (restFaults[f.kind] ?? 0) + 1;
    const bans = [...fake.faults.bans];
    // Calm: faults off (held reports delivered); every order resolves and every trade is booked.
    fake.faults.random({ seed: SEED, rate: 0 });
    fake.faults.reset();
    await until(() => venue.unknownOrders().length === 0, 'every unknown order resolved', 15_000);
    const booked = (): Set<string> => {
      const db = openDatabase(dbPath);
      try {
        return new Set(new FillStore(db).list({ limit: 100_000 }).map((f) => f.tradeId));
      } finally {
        db.close();
      }
    };
    await until(
      () => exchangeTradeIds(fake).every((id) => booked().has(id)),
      'every exchange trade booked',
      15_000,
    );
    await rt.stop();
    // Read after the stop: a last order may have gone out while the trades were compared.
    const position = rt.node.portfolio.positionQty(SYMBOL);
    const cash = rt.node.portfolio.cash();
    const { resolution } = venue;
    const settled = venue.reconciler.settled;

    const { urgent, routine } = gate.queued;
    const line =
      `chaos run (seed ${SEED}, ${(chaosMs / 1000).toFixed(1)} s of chaos): ${orders()} orders, ` +
      `${exchangeTradeIds(fake).length} fills (exchange trades); ${barsInChaos} bars seen, ` +
      `an order open ${(busyInChaos / 1000).toFixed(1)} s of the chaos; ` +
      `random REST faults ${JSON.stringify(restFaults)}; aimed faults ${JSON.stringify(aimed)}; ` +
      `${bans.length} bans (${bans.filter((b) => b.status === 418).length} of them 418); ` +
      `duplicates ${duplicateOrders(fake).length}; ${resolution.resolved} unknown outcomes resolved, ` +
      `max unknown ${resolution.maxUnknownMs} ms wall / ${resolution.maxAvailableMs} ms of exchange availability ` +
      `vs bound ${resolution.boundMs} ms; requests during bans: exchange ${fake.faults.requestsDuringBan}, ` +
      `gate ${gate.requestsDuringBan}; gate waits: orders/cancels max ${urgent.maxMs} ms ` +
      `(avg ${(urgent.totalMs / Math.max(1, urgent.calls)).toFixed(0)} ms, bans included), ` +
      `other requests max ${routine.maxMs} ms; reconciliation settled ${settled}\n`;
    process.stdout.write(line);

    // Enough happened for the zeros to mean something: every fault kind, of each at least one.
    expect(orders()).toBeGreaterThanOrEqual(ENOUGH.orders);
    expect(resolution.resolved).toBeGreaterThanOrEqual(ENOUGH.resolved);
    expect(bans.length).toBeGreaterThan(0);
    for (const kind of RANDOM_KINDS)
      expect(restFaults[kind] ?? 0, `random REST fault ${kind}`).toBeGreaterThan(0);
    for (const [name] of AIMED) expect(aimed[name] ?? 0, `aimed fault ${name}`).toBeGreaterThan(0);
    // 1. No order was placed twice.
    expect(duplicateOrders(fake)).toEqual([]);
    // 2. No order stayed of unknown outcome past the bound (in exchange-available time).
    expect(resolution.maxAvailableMs).toBeLessThanOrEqual(resolution.boundMs);
    // 3. No request, private or market data, reached the exchange while a ban ran.
    expect(fake.faults.requestsDuringBan).toBe(0);
    expect(gate.requestsDuringBan).toBe(0);
    // Each exchange trade booked exactly once; the books equal the exchange's.
    const db = openDatabase(dbPath);
    try {
      const ids = new FillStore(db).list({ limit: 100_000 }).map((f) => f.tradeId);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual(exchangeTradeIds(fake).sort());
    } finally {
      db.close();
      await fake.close();
    }
    expect(position).toBe(exchangeTotal(fake, 'ETH'));
    expect(cash).toBe(exchangeTotal(fake, 'USDT'));
  }, 240_000);
});
