/**
 * Every store's writes fail as ERR_DB_WRITE (the SQLite code in details) when SQLite refuses
 * them — a full disk, a read-only file — not as a bare SqliteError: the engine's fault
 * handling (and a strategy's handler, through which a state save can fail) tells storage
 * failures by that code. Real database files; a full disk is a file that may not grow.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { toFixed } from '../../src/core/Fixed.js';
import { allocBarSeries } from '../../src/model/BarSeries.js';
import { CandleStore } from '../../src/storage/sqlite/CandleStore.js';
import { CommandQueue } from '../../src/storage/sqlite/CommandQueue.js';
import { EquitySampleStore } from '../../src/storage/sqlite/EquitySampleStore.js';
import { FillStore } from '../../src/storage/sqlite/FillStore.js';
import { FundingStore } from '../../src/storage/sqlite/FundingStore.js';
import { LedgerStore } from '../../src/storage/sqlite/LedgerStore.js';
import type { SqliteDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { RiskStateStore } from '../../src/storage/sqlite/RiskStateStore.js';
import { RunStore } from '../../src/storage/sqlite/RunStore.js';
import { SimVenueStore } from '../../src/storage/sqlite/SimVenueStore.js';
import { SqliteStrategyStateStore } from '../../src/storage/sqlite/SqliteStrategyStateStore.js';
import { StrategyControlStore } from '../../src/storage/sqlite/StrategyControlStore.js';
import { SyntheticMarketStore } from '../../src/storage/sqlite/SyntheticMarketStore.js';
import { tempDb } from './tempDb.js';

const t = tempDb('store-write-errors');
const extra: SqliteDatabase[] = [];
afterEach(() => {
  for (const db of extra.splice(0)) if (db.open) db.close();
  t.remove();
});

const caught = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
};

/** The file may not grow any more: what a full disk does to the next page SQLite needs. */
function fill(db: SqliteDatabase): void {
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
}

/** A ledger with `n` currencies, enough rows to need new pages. */
const bigLedger = (n: number) => ({
  balances: () => new Map(Array.from({ length: n }, (_, i) => [`C${'X'.repeat(40)}${i}`, toFixed(i + 1)])),
  allPositions: () => [],
});

describe('a full disk', () => {
  it('a strategy state save is ERR_DB_WRITE (SQLITE_FULL), the value kept neither in memory nor in the file', () => {
    const db = t.open();
    const state = new SqliteStrategyStateStore(db, 'sma-1');
    state.set('count', 1);
    fill(db);
    const e = caught(() => state.set('history', 'x'.repeat(200_000)));
    expect(e).toMatchObject({ code: 'ERR_DB_WRITE', details: { sqlite: 'SQLITE_FULL' } });
    expect((e as Error).message).toContain('sma-1');
    expect(state.get('history')).toBeUndefined();
    expect(new SqliteStrategyStateStore(db, 'sma-1').snapshot()).toEqual({ count: 1 });
  });

  it('a ledger snapshot is ERR_DB_WRITE (SQLITE_FULL) and leaves the previous snapshot the latest', () => {
    const db = t.open();
    new RunStore(db).start({ id: 'run-1', mode: 'shadow', startedAt: 1000, config: {} });
    const ledger = new LedgerStore(db);
    const first = ledger.save('run-1', 2000, bigLedger(1));
    fill(db);
    const e = caught(() => ledger.save('run-1', 3000, bigLedger(5000)));
    expect(e).toMatchObject({ code: 'ERR_DB_WRITE', details: { sqlite: 'SQLITE_FULL' } });
    expect((e as Error).message).toContain('run-1');
    expect(ledger.latest('run-1')?.id).toBe(first);
  });
});

/**
 * A read-only file (permissions changed under the engine, a remount): every write of every
 * store, each given data first so that it has something to write.
 */
describe('a read-only database', () => {
  function readOnly(): SqliteDatabase {
    const db = t.open();
    new RunStore(db).start({ id: 'run-1', mode: 'shadow', startedAt: 1000, config: {} });
    new SqliteStrategyStateStore(db, 'sma-1').set('count', 1);
    new SimVenueStore(db).saveTrailingMark('o-1', 100);
    new CommandQueue(db).enqueue({ ts: 1, command: 'kill', args: {}, issuedBy: 'cli' });
    new EquitySampleStore(db).append({ ts: 1, equity: 1, runId: 'run-1' });
    new EquitySampleStore(db).append({ ts: 2, equity: 1, runId: 'run-1' });
    const ro = new Database(t.path, { readonly: true });
    extra.push(ro);
    return ro;
  }

  const fillRecord = {
    orderId: 'o-1',
    tradeId: 't-1',
    strategyId: 'sma-1',
    symbol: 'BTC/USDT',
    side: 'BUY',
    qty: toFixed(1),
    px: toFixed(100),
    fee: toFixed(0),
    feeCurrency: 'USDT',
    liquidity: 'TAKER',
    ts: 5,
  } as const;
  const payment = {
    id: 'p-1',
    symbol: 'BTC/USDT:USDT',
    ts: 5,
    amount: toFixed(-1),
    currency: 'USDT',
    booked: true,
  };
  const candles = allocBarSeries('BTC/USDT', '1m', 1);
  const writes: [string, (db: SqliteDatabase) => unknown][] = [
    ['SqliteStrategyStateStore.set', (db) => new SqliteStrategyStateStore(db, 'sma-1').set('count', 2)],
    ['SqliteStrategyStateStore.delete', (db) => new SqliteStrategyStateStore(db, 'sma-1').delete('count')],
    ['SqliteStrategyStateStore.clear', (db) => new SqliteStrategyStateStore(db, 'sma-1').clear()],
    ['LedgerStore.save', (db) => new LedgerStore(db).save('run-1', 2000, bigLedger(1))],
    [
      'RiskStateStore.save',
      (db) => new RiskStateStore(db).save({ state: 'HALTED', reason: 'r', since: 1, killSwitch: false }),
    ],
    [
      'RiskStateStore.recordDailyStartEquity',
      (db) => new RiskStateStore(db).recordDailyStartEquity(1, toFixed(1)),
    ],
    [
      'RiskStateStore.rebaseDailyStartEquity',
      (db) => new RiskStateStore(db).rebaseDailyStartEquity(1, toFixed(1)),
    ],
    ['FillStore.record', (db) => new FillStore(db).record(fillRecord)],
    [
      'EquitySampleStore.append',
      (db) => new EquitySampleStore(db).append({ ts: 3, equity: 1, runId: 'run-1' }),
    ],
    ['EquitySampleStore.prune', (db) => new EquitySampleStore(db).prune(1)],
    ['FundingStore.record', (db) => new FundingStore(db, 'binance').record('run-1', payment, 6)],
    ['FundingStore.advance', (db) => new FundingStore(db, 'binance').advance('BTC/USDT:USDT', 7)],
    ['SimVenueStore.saveTrailingMark', (db) => new SimVenueStore(db).saveTrailingMark('o-1', 101)],
    ['SimVenueStore.forgetTrailingMark', (db) => new SimVenueStore(db).forgetTrailingMark('o-1')],
    ['SimVenueStore.retainTrailingMarks', (db) => new SimVenueStore(db).retainTrailingMarks(new Set())],
    [
      'StrategyControlStore.save',
      (db) =>
        new StrategyControlStore(db).save({
          strategyId: 'sma-1',
          strategy: 'sma',
          params: undefined,
          configParams: {},
          running: false,
          updatedAt: 1,
          updatedBy: 'api',
        }),
    ],
    ['StrategyControlStore.delete', (db) => new StrategyControlStore(db).delete('sma-1')],
    [
      'RunStore.start',
      (db) => new RunStore(db).start({ id: 'run-2', mode: 'shadow', startedAt: 2, config: {} }),
    ],
    ['RunStore.finish', (db) => new RunStore(db).finish('run-1', { stoppedAt: 3, status: 'STOPPED' })],
    ['RunStore.markInterrupted', (db) => new RunStore(db).markInterrupted(3)],
    [
      'CommandQueue.enqueue',
      (db) => new CommandQueue(db).enqueue({ ts: 2, command: 'resume', args: {}, issuedBy: 'cli' }),
    ],
    ['CommandQueue.complete', (db) => new CommandQueue(db).complete(1, true, 'ok', 3)],
    [
      'SyntheticMarketStore.save',
      (db) => new SyntheticMarketStore(db).save({ symbol: 'BTC/USDT', timeframe: '1m', ts: 0, close: 1 }),
    ],
    ['CandleStore.upsert', (db) => new CandleStore(db).upsert('binance', candles)],
  ];

  it.each(writes)('%s is ERR_DB_WRITE (SQLITE_READONLY)', (_name, write) => {
    const db = readOnly();
    expect(caught(() => write(db))).toMatchObject({
      code: 'ERR_DB_WRITE',
      details: { sqlite: 'SQLITE_READONLY' },
    });
  });
});

describe('what is not a refused write passes as it is', () => {
  it('a constraint violation (a ledger snapshot of a run that does not exist) keeps its SQLite code', () => {
    const db = t.open();
    const e = caught(() => new LedgerStore(db).save('no-such-run', 1, bigLedger(1)));
    expect(e).toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
  });

  it("a state value that is not JSON is the strategy's error, not a storage one", () => {
    const db = t.open();
    const e = caught(() => new SqliteStrategyStateStore(db, 'sma-1').set('f', () => 1));
    expect((e as { code?: unknown }).code).toBeUndefined();
    expect((e as Error).message).toContain('not JSON-serializable');
  });
});
