/**
 * The grid on a real shadow engine (SQLite file, synthetic market) restarted with the kill
 * switch still on: the start cancels its rungs and the halt denies what it lays in answer; the
 * grid waits instead of parking its rungs, and after `qts resume` lays each of them again
 * exactly once, at the prices it had.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { ZERO, toNumber } from '../../src/core/Fixed.js';
import { ORDER_EVENTS, barsTopic } from '../../src/kernel/topics.js';
import { RiskStateStore } from '../../src/storage/sqlite/RiskStateStore.js';
import { SqliteStrategyStateStore } from '../../src/storage/sqlite/SqliteStrategyStateStore.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import type { GridState } from '../../src/strategies/GridState.js';
import { until } from '../app/support/http.js';
import { syntheticShadowConfig } from '../app/support/syntheticShadowConfig.js';

const log = pino({ level: process.env['QTS_TEST_LOG'] ?? 'silent' });

/** Three limit buys 20, 40 and 60 % below the first close: they rest, nothing fills them. */
function start(dbPath: string): Promise<TradingRuntime> {
  return TradingRuntime.startShadow(
    syntheticShadowConfig(
      dbPath,
      { id: 'grid', strategy: 'grid', params: { levels: 3, spacingPct: 20, orderSize: 0.1 } },
      // The fat-finger band would deny buys that far from the market.
      { risk: { priceBandPct: 0.9 } },
    ),
    { log, noServices: true, noHttp: true },
  );
}

/** Reads the database on its own connection, closed after. */
function withDb<T>(dbPath: string, f: (db: ReturnType<typeof openDatabase>) => T): T {
  const db = openDatabase(dbPath);
  try {
    return f(db);
  } finally {
    db.close();
  }
}

const gridPrices = (rt: TradingRuntime): number[] =>
  rt.node.oms
    .openOrders(undefined, 'grid')
    .map((o) => toNumber(o.request.price ?? ZERO))
    .sort((a, b) => b - a);

describe('grid: kill switch on at the restart, then resume', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('waits out the halt without parking its rungs, and lays each again once after the resume', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-grid-halt-'));
    dirs.push(dir);
    const dbPath = join(dir, 'trading.db');

    const first = await start(dbPath);
    let prices: number[];
    let firstIds: string[];
    try {
      await until(
        () => first.node.oms.openOrders(undefined, 'grid').length === 3,
        'the grid to rest three buys',
      );
      prices = gridPrices(first);
      firstIds = first.node.oms.openOrders(undefined, 'grid').map((o) => o.id);
    } finally {
      await first.stop();
    }
    // The kill switch was thrown while the buys rested, and its cancels never completed.
    withDb(dbPath, (db) =>
      new RiskStateStore(db).save({ state: 'HALTED', reason: 'drill', since: Date.now(), killSwitch: true }),
    );

    const rt = await start(dbPath);
    try {
      expect(rt.node.risk.state).toBe('HALTED');
      for (const id of firstIds) expect(rt.node.oms.order(id)?.status).toBe('CANCELED');
      const laid: string[] = [];
      rt.node.bus.subscribe(ORDER_EVENTS, (e) => {
        if (e.strategyId === 'grid' && e.type === 'OrderInitialized') laid.push(e.orderId);
      });
      let bars = 0;
      rt.node.bus.subscribe(barsTopic('BTC/USDT', '1m'), () => (bars += 1));

      // The grid heard the cancels and tried to lay a rung again: the halt denied it.
      await until(() => rt.node.oms.orderCounts().denied > 0, 'the halt to deny the grid');
      const rungs = () =>
        withDb(dbPath, (db) => new SqliteStrategyStateStore(db, 'grid').get<GridState>('grid:BTC/USDT'))
          ?.levels;
      expect(rungs()?.map((l) => [l.stage, l.orderId, l.parked])).toEqual([
        ['buy', null, false],
        ['buy', null, false],
        ['buy', null, false],
      ]);
      // Not fighting the halt: one try now and then, not three a bar.
      const barsAtDenial = bars;
      await until(() => bars >= barsAtDenial + 8, 'eight more bars while halted');
      const deniedWhileHalted = rt.node.oms.orderCounts().denied;
      expect(deniedWhileHalted).toBeLessThanOrEqual(5);
      expect(rt.node.oms.openOrders(undefined, 'grid')).toEqual([]);

      const triedWhileHalted = laid.length;
      rt.resume('drill over', 'test');
      await until(
        () => rt.node.oms.openOrders(undefined, 'grid').length === 3,
        'the grid to lay its rungs again',
      );
      expect(gridPrices(rt)).toEqual(prices);
      // Long enough for any retry to come: each rung was laid once, nothing else since.
      const barsAtResume = bars;
      await until(() => bars >= barsAtResume + 20, 'twenty bars after the resume');
      expect(laid.length - triedWhileHalted).toBe(3);
      expect(gridPrices(rt)).toEqual(prices);
      expect(rt.node.oms.orderCounts().denied).toBe(deniedWhileHalted);
      expect(rungs()?.map((l) => l.parked)).toEqual([false, false, false]);
    } finally {
      await rt.stop();
    }
  }, 60_000);
});
