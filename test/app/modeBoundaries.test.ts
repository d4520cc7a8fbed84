/**
 * The boundaries between the trading modes, on a fake Binance that logs every request: shadow
 * mode never reaches an order endpoint even with keys and MASTER_KEY at hand (its strategies,
 * the REST commands and `qts kill` included), and a database keeps the records of one mode
 * only, so paper orders and fills are never taken for real ones (and the reverse).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ccxt from 'ccxt';
import type { Exchange } from 'ccxt';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { toFixed } from '../../src/core/Fixed.js';
import { liveVariant } from '../../src/app/liveVariant.js';
import { startApp } from '../../src/app/startApp.js';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import type { AppConfig } from '../../src/config/configSchema.js';
import { tradesTopic } from '../../src/kernel/topics.js';
import { writeKeyFile } from '../../src/security/KeyStore.js';
import { CommandQueue } from '../../src/storage/sqlite/CommandQueue.js';
import { RunStore } from '../../src/storage/sqlite/RunStore.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import type { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import { qtsAsync } from '../support/runQts.js';
import { KEYS, SYMBOL, startFake, tape, tradingExchange, until } from '../live/support/liveHarness.js';
import { client } from './support/http.js';

const log = pino({ level: process.env['QTS_TEST_LOG'] ?? 'silent' });
const MASTER = 'mode-boundaries-master-Zx9#long';
/** Fast key derivation for tests (the real files use scrypt N = 2^17). */
const FAST_SCRYPT = { N: 2 ** 14, r: 8, p: 1 };
const TOKEN = 'ops-trader-token-0123456789';
/** ETH/USDT's lot on the fake: less than this held is dust no order can take. */
const LOT = toFixed('0.0001');

/** One DCA instance on 1 s bars: it buys on its first live bar, so a paper position comes fast. */
function config(mode: 'shadow' | 'live', dbPath: string, extra: Record<string, unknown> = {}): AppConfig {
  return AppConfigSchema.parse({
    mode,
    marketData: { source: 'exchange' },
    account: { currency: 'USDT', initialCash: 10_000, commission: 0.001 },
    strategies: [
      {
        id: 'dca',
        strategy: 'dca',
        symbols: [SYMBOL],
        timeframe: '1s',
        params: { amount: 500, everyBars: 3 },
      },
    ],
    storage: { dbPath },
    api: { host: '127.0.0.1', port: 0, tokens: [{ name: 'ops', role: 'trader', token: TOKEN }] },
    risk: { staleDataMs: 600_000, priceBandPct: 0.5, maxOrdersPerMinute: 1_000_000 },
    live: { confirmed: true, syncIntervalMs: 50, maxOrders: 50, streams: false },
    ...extra,
  });
}

/** The keyless market-data instance on the fake (what the engine builds for market data). */
function marketData(fake: FakeBinance): () => Promise<Exchange> {
  return async () => {
    const ex = new ccxt.pro.binance();
    await fake.configure(ex);
    return ex;
  };
}

/** Publishes trades one by one until `done` holds, each seen by the engine before the next. */
async function stepUntil(fake: FakeBinance, rt: TradingRuntime, done: () => boolean, what: string) {
  let seen = -1;
  const off = rt.node.bus.subscribe(tradesTopic(SYMBOL), (t) => (seen = Number(t.id)));
  try {
    await fake.waitForSubscription('ethusdt@trade', 10_000);
    for (let i = 0; i < 200 && !done(); i++) {
      if (fake.step(1) === 0) break;
      const want = fake.cursor(SYMBOL);
      await until(() => seen >= want, `trade ${want}`, 10_000);
    }
  } finally {
    off();
  }
  if (!done()) throw new Error(`the tape ran out before ${what}`);
}

function pendingCommands(dbPath: string): number {
  const db = openDatabase(dbPath);
  try {
    return new CommandQueue(db).pending().length;
  } finally {
    db.close();
  }
}

/** Puts back the test process's MASTER_KEY (these tests set it as an operator's shell would). */
function restoreMasterKey(saved: string | undefined): Promise<void> {
  if (saved === undefined) delete process.env['MASTER_KEY'];
  else process.env['MASTER_KEY'] = saved;
  return Promise.resolve();
}

function freshDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'qts-modes-')), 'trading.db');
}

function runModes(dbPath: string): string[] {
  const db = openDatabase(dbPath);
  try {
    return new RunStore(db).list().map((r) => r.mode);
  } finally {
    db.close();
  }
}

describe('mode boundaries', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  it('shadow with a keys file and MASTER_KEY present: no keyed client, no private request, through strategies, REST close/kill and qts kill', async () => {
    const fake = await startFake(tape(400), { USDT: '100000', ETH: '0' });
    closers.push(() => fake.close());
    fake.step(5);
    const dir = mkdtempSync(join(tmpdir(), 'qts-shadow-keys-'));
    const keysFile = join(dir, 'keys.enc.json');
    await writeKeyFile(keysFile, { credentials: [{ exchange: 'binance', ...KEYS }] }, MASTER, FAST_SCRYPT);
    const savedMaster = process.env['MASTER_KEY'];
    process.env['MASTER_KEY'] = MASTER;
    closers.push(() => restoreMasterKey(savedMaster));
    let keyedClients = 0;
    const dbPath = join(dir, 'trading.db');
    const app = await startApp(config('shadow', dbPath, { security: { keysFile } }), {
      log,
      noServices: true,
      exchangeFactory: marketData(fake),
      // What live mode would trade through: shadow must never ask for it.
      tradingExchangeFactory: () => {
        keyedClients++;
        return tradingExchange(fake);
      },
    });
    const rt = app as TradingRuntime;
    closers.push(() => rt.stop());
    const call = client(`http://127.0.0.1:${app.port}`);

    // The strategy trades on paper.
    await stepUntil(fake, rt, () => rt.node.portfolio.positionQty(SYMBOL) > 0n, 'a paper buy');
    expect(rt.status().mode).toBe('shadow');
    const status = await call<{ mode: string }>('GET', '/api/v1/status', { token: TOKEN });
    expect(status.body.mode).toBe('shadow');

    // REST: close the position (every whole lot of it: the buy's fee came out of the coins).
    const close = await call<{ order: { id: string } }>('POST', '/api/v1/positions/close', {
      token: TOKEN,
      body: { symbol: SYMBOL },
    });
    expect(close.status, JSON.stringify(close.body)).toBe(202);
    const closeId = close.body.order.id;
    await stepUntil(fake, rt, () => rt.node.oms.lookup(closeId)?.status === 'FILLED', 'the paper close');

    // The CLI's kill switch, with flatten, on the running engine's database, the next buy held.
    await stepUntil(fake, rt, () => rt.node.portfolio.positionQty(SYMBOL) >= LOT, 'the next paper buy');
    const cli = await qtsAsync(['kill', '--db', dbPath, '--flatten'], {
      env: { PATH: process.env['PATH'] ?? '', HOME: dir, QTS_USE_DIST: '0', MASTER_KEY: MASTER },
    });
    expect(cli.code, cli.stderr).toBe(0);
    await until(() => pendingCommands(dbPath) === 0, 'the CLI kill executed', 20_000);
    expect(rt.node.risk.state).not.toBe('ACTIVE');
    // Halted: no strategy buys again, so only the flatten's sell can take the position to dust.
    await stepUntil(fake, rt, () => rt.node.portfolio.positionQty(SYMBOL) < LOT, 'the paper flatten');
    expect(rt.node.risk.state).toBe('HALTED');

    // REST: the kill switch again, with flatten.
    const kill = await call('POST', '/api/v1/risk/kill', { token: TOKEN, body: { flatten: true } });
    expect(kill.status).toBe(200);

    // Paper only: the fake exchange saw no signed request and holds no order of ours.
    expect(keyedClients).toBe(0);
    expect(fake.log.filter((e) => e.private).map((e) => `${e.method} ${e.path}`)).toEqual([]);
    expect(fake.account.orders('spot')).toEqual([]);
    expect(rt.status().mode).toBe('shadow');
  }, 90_000);

  it('live refuses to start without the confirmation, with a missing or wrong MASTER_KEY, or keys of the other sandbox: nothing sent, no database', async () => {
    const fake = await startFake(tape(50));
    closers.push(() => fake.close());
    const dir = mkdtempSync(join(tmpdir(), 'qts-live-refusals-'));
    const keysFile = join(dir, 'keys.enc.json');
    await writeKeyFile(keysFile, { credentials: [{ exchange: 'binance', ...KEYS }] }, MASTER, FAST_SCRYPT);
    const savedMaster = process.env['MASTER_KEY'];
    closers.push(() => restoreMasterKey(savedMaster));
    let keyedClients = 0;
    const dbPath = join(dir, 'live.db');
    const attempt = (master: string | undefined, extra: Record<string, unknown>) => {
      if (master === undefined) delete process.env['MASTER_KEY'];
      else process.env['MASTER_KEY'] = master;
      return startApp(config('live', dbPath, { security: { keysFile }, ...extra }), {
        log,
        noServices: true,
        exchangeFactory: marketData(fake),
        tradingExchangeFactory: () => {
          keyedClients++;
          return tradingExchange(fake);
        },
      });
    };
    const unconfirmed = { live: { confirmed: false } };
    await expect(attempt(MASTER, unconfirmed)).rejects.toMatchObject({ code: 'ERR_LIVE_NOT_CONFIRMED' });
    await expect(attempt(undefined, {})).rejects.toMatchObject({ code: 'ERR_MASTER_KEY_MISSING' });
    await expect(attempt('another-master-key-Qw7#long', {})).rejects.toMatchObject({
      code: 'ERR_MASTER_KEY_WRONG',
    });
    // Real-account keys while exchange.sandbox (EXCHANGE_SANDBOX=true) asks for the testnet.
    const sandbox = attempt(MASTER, { exchange: { id: 'binance', sandbox: true } });
    await expect(sandbox).rejects.toMatchObject({ code: 'ERR_KEYS_MISSING' });
    await expect(sandbox).rejects.toThrow(/real-account keys .* exchange\.sandbox is true/);
    expect(keyedClients).toBe(0);
    expect(fake.log).toEqual([]);
    expect(existsSync(dbPath)).toBe(false);
  }, 60_000);

  it('a database a shadow engine traded on is refused by a live engine, before any request to the exchange', async () => {
    const fake = await startFake(tape(400), { USDT: '100000', ETH: '0' });
    closers.push(() => fake.close());
    fake.step(5);
    const dbPath = freshDb();
    const shadow = await TradingRuntime.startShadow(config('shadow', dbPath), {
      log,
      noHttp: true,
      noServices: true,
      exchangeFactory: marketData(fake),
    });
    await stepUntil(fake, shadow, () => shadow.node.portfolio.positionQty(SYMBOL) > 0n, 'a paper buy');
    await shadow.stop();

    const start = TradingRuntime.start(
      config('live', dbPath),
      { log, noHttp: true, noServices: true, exchangeFactory: marketData(fake) },
      liveVariant(KEYS, () => tradingExchange(fake)),
    );
    await expect(start).rejects.toMatchObject({ code: 'ERR_DB_MODE_MISMATCH' });
    await expect(start).rejects.toThrow(/shadow engine's database.*storage\.dbPath or DB_PATH/);
    expect(fake.privateRequestCount()).toBe(0);
    // Nothing written: no live run recorded in the paper database.
    expect(runModes(dbPath)).toEqual(['shadow']);

    // Its own database: the live engine starts, with the exchange's (empty) account, not the paper one.
    const live = await TradingRuntime.start(
      config('live', freshDb()),
      { log, noHttp: true, noServices: true, exchangeFactory: marketData(fake) },
      liveVariant(KEYS, () => tradingExchange(fake)),
    );
    closers.push(() => live.stop());
    expect(live.status().mode).toBe('live');
    expect(live.node.portfolio.positionQty(SYMBOL)).toBe(0n);
  }, 60_000);

  it('a live engine’s database is refused by a shadow engine, so no paper fill ends a real order in the journal', async () => {
    const fake = await startFake(tape(400), { USDT: '100000', ETH: '0' });
    closers.push(() => fake.close());
    fake.step(5);
    const dbPath = freshDb();
    const live = await TradingRuntime.start(
      config('live', dbPath),
      { log, noHttp: true, noServices: true, exchangeFactory: marketData(fake) },
      liveVariant(KEYS, () => tradingExchange(fake)),
    );
    await live.stop();
    const start = TradingRuntime.startShadow(config('shadow', dbPath), {
      log,
      noHttp: true,
      noServices: true,
      exchangeFactory: marketData(fake),
    });
    await expect(start).rejects.toMatchObject({ code: 'ERR_DB_MODE_MISMATCH' });
    await expect(start).rejects.toThrow(/live engine's database/);
    expect(runModes(dbPath)).toEqual(['live']);
  }, 60_000);
});
