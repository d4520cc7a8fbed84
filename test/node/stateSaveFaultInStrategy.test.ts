/**
 * A strategy's onBar saves its persistent state (`ctx.state`, the engine's SQLite file) and the
 * disk is full (a real file made unable to grow): the save fails with ERR_DB_WRITE through the
 * strategy's handler. That is the engine failing, not the strategy — as for an order the
 * journal cannot write (engineFaultInStrategy.test.ts): trading is HALTED with
 * ERR_ENGINE_FAULT, the strategy is not quarantined and keeps getting bars, and another
 * strategy's orders are denied ERR_RISK_HALTED. Without a failure policy (backtests) the error
 * still ends the run, under its storage code.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EngineFaults } from '../../src/app/EngineFaults.js';
import type { Bar } from '../../src/model/Bar.js';
import type { OrderView } from '../../src/model/OrderView.js';
import type { StrategyFailure, TradingNode } from '../../src/node/TradingNode.js';
import { SqliteStrategyStateStore } from '../../src/storage/sqlite/SqliteStrategyStateStore.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import { tempDb } from '../storage/tempDb.js';
import { minuteBar, simNode } from './support/simNode.js';

const t = tempDb('state-save-fault');
afterEach(() => t.remove());

/** What the strategies saw: bars, errors the saver's onBar met, refusal codes. */
const seen = { bars: 0, threw: [] as unknown[], refused: [] as string[] };

/** Saves its (bulky) bar history in its persistent state at every bar. */
class Saver extends Strategy<Record<string, never>> {
  static readonly id = 'saver';
  static readonly description = 'test strategy: saves its state every bar';
  static readonly paramsSchema = z.object({});
  override onBar(b: Bar): void {
    seen.bars++;
    try {
      this.ctx.state.set(`bar-${b.ts}`, 'x'.repeat(100_000));
    } catch (e) {
      seen.threw.push(e);
      throw e;
    }
  }
}

/** Buys at bar 2, after the fault. */
class Other extends Strategy<Record<string, never>> {
  static readonly id = 'other';
  static readonly description = 'test strategy: buys once';
  static readonly paramsSchema = z.object({});
  override onBar(b: Bar): void {
    if (b.ts === 2 * 60_000) this.ctx.buy(b.symbol, 0.01, { type: 'LIMIT', price: 60 });
  }
  override onOrderUpdate(o: OrderView): void {
    if (o.status === 'DENIED' && o.reasonCode !== undefined) seen.refused.push(o.reasonCode);
  }
}

function run(policy: boolean) {
  seen.bars = 0;
  seen.threw = [];
  seen.refused = [];
  const db = t.open();
  const failures: StrategyFailure[] = [];
  const states: [string, string][] = [];
  const built: { node?: TradingNode; faults?: EngineFaults } = {};
  const { node, feed } = simNode({
    stateStore: (id) => new SqliteStrategyStateStore(db, id),
    ...(policy
      ? {
          onStrategyFailure: (f: StrategyFailure) => failures.push(f),
          onEngineFault: (err: unknown, what: string) => built.faults?.fault(err, what),
        }
      : {}),
  });
  built.node = node;
  built.faults = new EngineFaults(node, pino({ level: 'silent' }), () => node.clock.now());
  node.risk.onStateChange((state, _reason, code) => states.push([state, code]));
  node.registerFeed('BTC/USDT', '1m');
  for (const [id, cls] of [
    ['saver-1', Saver],
    ['other-1', Other],
  ] as const)
    node.addStrategy({ id, strategyClass: cls, params: {}, symbols: ['BTC/USDT'], timeframe: '1m' });
  node.start();
  feed(minuteBar(0, 100, 101, 99, 100));
  // The file may not grow any more: what a full disk does to the next page SQLite needs.
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
  return { db, node, feed, failures, states };
}

describe("a strategy's state save the database cannot write, from its onBar", () => {
  it('with a failure policy: trading HALTED (ERR_ENGINE_FAULT), the strategy not quarantined', () => {
    const { db, node, feed, failures, states } = run(true);
    feed(minuteBar(1, 100, 101, 99, 100));
    // The save did fail under the strategy, and the error is the disk's.
    expect(seen.threw).toHaveLength(1);
    expect(seen.threw[0]).toMatchObject({ code: 'ERR_DB_WRITE', details: { sqlite: 'SQLITE_FULL' } });

    expect(states).toEqual([['HALTED', 'ERR_ENGINE_FAULT']]);
    expect(failures).toEqual([]);
    const info = node.strategyInfos().find((s) => s.id === 'saver-1');
    expect([info?.running, info?.failure]).toEqual([true, undefined]);
    expect(node.risk.state).toBe('HALTED');

    // The operator frees the disk; still halted until resumed: the strategy keeps getting bars
    // (and saving), the other strategy's order is denied.
    db.pragma('max_page_count = 1073741823');
    feed(minuteBar(2, 100, 101, 99, 100));
    expect(seen.bars).toBe(3);
    expect(seen.threw).toHaveLength(1);
    expect(seen.refused).toEqual(['ERR_RISK_HALTED']);
    expect(new SqliteStrategyStateStore(db, 'saver-1').get('bar-120000')).toHaveLength(100_000);
  });

  it('without a failure policy (backtest): the storage error ends the run, named after the strategy', () => {
    const { node, feed, states } = run(false);
    let thrown: unknown;
    try {
      feed(minuteBar(1, 100, 101, 99, 100));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ code: 'ERR_DB_WRITE', details: { sqlite: 'SQLITE_FULL' } });
    expect((thrown as Error).message).toMatch(/^strategy saver-1 failed in onBar/);
    expect(node.risk.state).toBe('ACTIVE');
    expect(states).toEqual([]);
  });
});
