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
import { createTradingExchange } from '../../src/exchanges/ccxt/createTradingExchange.js';
import { FillStore } from '../../src/storage/sqlite/FillStore.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import type { FakeLogEntry } from '../support/fakeBinance/FakeBinance.js';
import { KEYS, SYMBOL, tape, until } from './support/liveHarness.js';
import { PrivateSpotStub } from './support/PrivateSpotStub.js';

const BOUND_MS = 2_500;
const RETRY_AFTER_MS = 1_000; // what the fake's 429/418 answers carry

/**
 * Chaos run: a live session with every fault of the fake switched on at random (seeded):
 * 5xx before the exchange processes an order, lost acknowledgements after it did, 5xx on
 * lookups and trade queries, 429 and 418 with Retry-After, dropped and duplicated stream
 * messages. The three zeros: no order placed twice, no order unknown past the bound, no
 * private request while a ban runs.
 */
/**
 * When the requests refused with 429/418 arrived. The fake answers armed failures per path
 * prefix first-armed first-served, so replaying the log against the armings tells which
 * request got which answer.
 */
function refusedByBan(
  log: readonly FakeLogEntry[],
  armings: readonly { at: number; prefix: string; status: number; times: number }[],
): number[] {
  const pending = armings.map((a) => ({ ...a, left: a.times }));
  const out: number[] = [];
  for (const e of log) {
    if (e.kind !== 'http') continue;
    const rule = pending.find((a) => a.left > 0 && a.at <= e.at && e.path.startsWith(a.prefix));
    if (!rule) continue;
    rule.left -= 1;
    if (rule.status === 429 || rule.status === 418) out.push(e.at);
  }
  return out;
}

describe('chaos run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qts-chaos-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every fault on at random: 0 duplicate orders, 0 orders unknown past the bound, 0 requests during a ban', async () => {
    const fake = await FakeBinance.start({
      markets: [
        {
          symbol: SYMBOL,
          trades: tape(6000, 1_700_000_000_000, 15_000, 3),
          tickSize: '0.01',
          lotSize: '0.0001',
        },
      ],
    });
    fake.step(5);
    const stub = new PrivateSpotStub(fake, [SYMBOL], { USDT: '100000', ETH: '0' });
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
        resolveWithinMs: BOUND_MS,
        streams: false,
        maxOrders: 50,
      },
    });
    const rt = await TradingRuntime.start(
      config,
      {
        log: pino({ level: 'silent' }),
        noHttp: true,
        noServices: true,
        exchangeFactory: async () => {
          const ex = new ccxt.pro.binance();
          await fake.configure(ex);
          return ex;
        },
      },
      liveVariant(KEYS, async () => {
        const { exchange } = createTradingExchange({
          id: 'binance',
          keys: KEYS,
          sandbox: false,
          clientIdPrefix: 'qts',
        });
        await fake.configure(exchange);
        return exchange;
      }),
    );
    const venue = rt.venue as LiveVenue;
    const rng = new Rng(4242);
    /**
     * When and on which private endpoint a 429/418 was armed: the first request to it after
     * that is the one refused. (The market-data instance has its own backoff and is not part
     * of this check.)
     */
    const armed: { at: number; prefix: string; status: number; times: number }[] = [];
    let bans = 0;
    const faults: Record<string, number> = {};
    const inject = (): void => {
      const pick = Math.floor(rng.next() * 8);
      const name =
        [
          '5xx-before',
          'lost-ack',
          '5xx-lookup',
          '5xx-trades',
          '429',
          '418',
          'drop-streams',
          'duplicate-streams',
        ][pick] ?? '';
      faults[name] = (faults[name] ?? 0) + 1;
      const failRest = (prefix: string, status: number, times: number): void => {
        armed.push({ at: Date.now(), prefix, status, times });
        fake.faults.failRest(prefix, status, times);
      };
      if (pick === 0) failRest('/api/v3/order', 503, 1);
      else if (pick === 1) stub.loseAckNext(1);
      else if (pick === 2) failRest('/api/v3/order', 502, 2);
      else if (pick === 3) failRest('/api/v3/myTrades', 500, 1);
      else if (pick === 4 || pick === 5) {
        const prefix = ['/api/v3/order', '/api/v3/account', '/api/v3/openOrders', '/api/v3/myTrades'][
          Math.floor(rng.next() * 4)
        ] as string;
        bans += 1;
        failRest(prefix, pick === 4 ? 429 : 418, 1);
      } else if (pick === 6) fake.faults.dropConnections();
      else fake.faults.duplicateNext(3);
    };
    let maxUnknownAge = 0;
    const chaos = setInterval(() => {
      inject();
      for (const u of venue.client.unknownOrders()) maxUnknownAge = Math.max(maxUnknownAge, u.ageMs);
    }, 1_500);
    const chaosEnds = performance.now() + 50_000;
    try {
      fake.play(40);
      await until(
        () => stub.orders.length >= 20 || performance.now() > chaosEnds,
        '20 orders or 40 s of chaos',
        60_000,
      );
    } finally {
      clearInterval(chaos);
      fake.pause();
    }
    await until(
      () => venue.client.unknownOrders().length === 0,
      'every unknown order resolved',
      BOUND_MS * 3,
    );
    await rt.stop();

    expect(stub.orders.length).toBeGreaterThanOrEqual(8);
    // 1. No order was placed twice.
    expect(stub.duplicates()).toEqual([]);
    // 2. No order stayed unknown past the bound (plus one ban and a few sync periods to notice).
    expect(maxUnknownAge).toBeLessThan(BOUND_MS + RETRY_AFTER_MS + 500);
    // 3. No private request went out while a ban ran.
    const privateLog = fake.log.filter((e) => e.private);
    let checked = 0;
    for (const refused of refusedByBan(fake.log, armed)) {
      const during = privateLog.filter((e) => e.at > refused && e.at < refused + RETRY_AFTER_MS - 5);
      expect(during.map((e) => `${e.method} ${e.path}`)).toEqual([]);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
    expect(venue.client.resolvedNotFound + stub.orders.length).toBeGreaterThan(0);
    // Fills: each exchange trade booked exactly once.
    const db = openDatabase(dbPath);
    try {
      const ids = new FillStore(db).list({ limit: 100_000 }).map((f) => f.tradeId);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual(stub.trades.map((t) => String(t.id)).sort());
    } finally {
      db.close();
      await fake.close();
    }
    process.stdout.write(
      `chaos run: faults ${JSON.stringify(faults)}, ${stub.orders.length} orders, ${stub.trades.length} fills, ` +
        `max unknown age ${maxUnknownAge} ms, ${bans} bans armed / ${checked} checked\n`,
    );
  }, 120_000);
});
