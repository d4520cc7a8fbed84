import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ccxt from 'ccxt';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { LiveVenue } from '../../src/app/LiveVenue.js';
import { liveVariant } from '../../src/app/liveVariant.js';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import { Rng } from '../../src/core/Rng.js';
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
} from './support/liveHarness.js';

const SEED = Number(process.env['QTS_CHAOS_SEED'] ?? 4242);
const TIMEOUT_MS = 1_500;

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
    const config = AppConfigSchema.parse({
      mode: 'live',
      marketData: { source: 'exchange' },
      account: { currency: 'USDT', initialCash: 100_000, commission: 0.001 },
      strategies: [
        {
          id: 'sma',
          strategy: 'sma-cross',
          symbols: [SYMBOL],
          timeframe: '1m',
          params: { fast: 2, slow: 3 },
          sizing: 'fixed:0.1',
        },
      ],
      storage: { dbPath },
      api: { host: '127.0.0.1', port: 0 },
      risk: { staleDataMs: 600_000, priceBandPct: 0.5, maxOrdersPerMinute: 1_000_000 },
      live: {
        confirmed: true,
        syncIntervalMs: 50,
        reconcileIntervalMs: 400,
        resolveWithinMs: 2_500,
        requestTimeoutMs: TIMEOUT_MS,
        streams: true,
        maxOrders: 50,
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
    const gate = (venue as unknown as { gate: { requestsDuringBan: number } }).gate;

    // REST: a seeded mix on every path of the host (private and market data alike).
    fake.faults.random({
      seed: SEED,
      rate: 0.06,
      kinds: ['latency', 'drop', 'fail-after', 'fail-before', 'hang', 'ban-429', 'ban-418'],
      maxLatencyMs: 300,
      banSeconds: 1,
    });
    // WebSocket: one seeded stream fault every 700 ms.
    const rng = new Rng(SEED);
    const streamFaults: Record<string, number> = {};
    const STREAM_FAULTS: readonly [string, () => void][] = [
      ['drop-user-stream', () => fake.faults.dropUserStreams()],
      ['duplicate-reports', () => fake.faults.duplicateExecutionReports(1 + Math.floor(rng.next() * 3))],
      ['reorder-reports', () => fake.faults.reorderExecutionReports(2 + Math.floor(rng.next() * 2))],
      ['drop-reports', () => fake.faults.dropExecutionReports(1 + Math.floor(rng.next() * 2))],
      ['drop-market-streams', () => fake.faults.dropConnections()],
    ];
    const chaos = setInterval(() => {
      const [name, inject] = STREAM_FAULTS[Math.floor(rng.next() * STREAM_FAULTS.length)] as [
        string,
        () => void,
      ];
      streamFaults[name] = (streamFaults[name] ?? 0) + 1;
      inject();
    }, 700);
    const orders = (): number => fake.account.orders('spot').length;
    const chaosEnds = performance.now() + 45_000;
    try {
      fake.play(40);
      await until(() => orders() >= 24 || performance.now() > chaosEnds, '24 orders or 45 s of chaos', 60_000);
    } finally {
      clearInterval(chaos);
      fake.pause();
    }
    const restFaults: Record<string, number> = {};
    for (const f of fake.faults.randomFaults) restFaults[f.kind] = (restFaults[f.kind] ?? 0) + 1;
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
    await until(() => exchangeTradeIds(fake).every((id) => booked().has(id)), 'every exchange trade booked', 15_000);
    const position = rt.node.portfolio.positionQty(SYMBOL);
    const cash = rt.node.portfolio.cash();
    const { resolution } = venue;
    const settled = venue.reconciler.settled;
    await rt.stop();

    const bans = fake.faults.bans;
    const line =
      `chaos run (seed ${SEED}): ${orders()} orders, ${exchangeTradeIds(fake).length} exchange trades; ` +
      `REST faults ${JSON.stringify(restFaults)}; stream faults ${JSON.stringify(streamFaults)}; ` +
      `${bans.length} bans (${bans.filter((b) => b.status === 418).length} of them 418); ` +
      `duplicates ${duplicateOrders(fake).length}; ${resolution.resolved} unknown outcomes resolved, ` +
      `max unknown ${resolution.maxUnknownMs} ms wall / ${resolution.maxAvailableMs} ms of exchange availability ` +
      `vs bound ${resolution.boundMs} ms; requests during bans: exchange ${fake.faults.requestsDuringBan}, ` +
      `gate ${gate.requestsDuringBan}; reconciliation settled ${settled}\n`;
    process.stdout.write(line);

    // Enough happened for the zeros to mean something.
    expect(orders()).toBeGreaterThanOrEqual(8);
    expect(bans.length).toBeGreaterThan(0);
    expect(resolution.resolved).toBeGreaterThan(0);
    expect(Object.keys(restFaults).length).toBeGreaterThanOrEqual(5);
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
  }, 150_000);
});
