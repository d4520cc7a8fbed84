/**
 * A strategy's onBar sends orders and the engine's own journal (a real SQLite file, made unable
 * to grow as a full disk does) cannot write one of them: the OMS throws ERR_DB_WRITE through
 * the strategy's handler. That is the engine failing, not the strategy: trading is HALTED with
 * ERR_ENGINE_FAULT (EngineFaults, as the runtime wires it), the strategy is not quarantined, the
 * order that could not be journaled never reached the venue, and the other strategy's orders
 * are denied ERR_RISK_HALTED. Without a failure policy (backtests) the error still ends the run.
 */
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EngineFaults } from '../../src/app/EngineFaults.js';
import type { Bar } from '../../src/model/Bar.js';
import type { OrderView } from '../../src/model/OrderView.js';
import type { StrategyFailure, TradingNode } from '../../src/node/TradingNode.js';
import { OrderStore } from '../../src/storage/sqlite/OrderStore.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import { tempDb } from '../storage/tempDb.js';
import { minuteBar, simNode } from './support/simNode.js';

const t = tempDb('strategy-engine-fault');
afterEach(() => t.remove());

/** What each strategy saw: order ids it got back, errors its onBar met, refusal codes. */
const seen = { placed: [] as string[], threw: [] as unknown[], refused: [] as string[] };

/** At bar 1 lays resting limit buys, each with a bulky tag, until the engine throws. */
class Filler extends Strategy<Record<string, never>> {
  static readonly id = 'filler';
  static readonly description = 'test strategy: fills the journal';
  static readonly paramsSchema = z.object({});
  override onBar(b: Bar): void {
    if (b.ts !== 60_000) return;
    try {
      for (let i = 0; i < 2000; i++)
        seen.placed.push(
          this.ctx.buy(b.symbol, 0.01, { type: 'LIMIT', price: 50, tag: 'x'.repeat(2000) }).id,
        );
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
  seen.placed = [];
  seen.threw = [];
  seen.refused = [];
  const db = t.open();
  const store = new OrderStore(db);
  const failures: StrategyFailure[] = [];
  const states: [string, string][] = [];
  const built: { node?: TradingNode; faults?: EngineFaults } = {};
  const { node, venue, feed } = simNode({
    journal: store.journal,
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
    ['filler-1', Filler],
    ['other-1', Other],
  ] as const)
    node.addStrategy({ id, strategyClass: cls, params: {}, symbols: ['BTC/USDT'], timeframe: '1m' });
  node.start();
  feed(minuteBar(0, 100, 101, 99, 100));
  // The file may not grow any more: what a full disk does to the next page SQLite needs.
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
  return { db, store, node, venue, feed, failures, states };
}

describe('an order the journal cannot write, sent from a strategy handler', () => {
  it('with a failure policy: trading HALTED (ERR_ENGINE_FAULT), the strategy not quarantined, nothing unjournaled sent', () => {
    const { db, store, node, venue, feed, failures, states } = run(true);
    feed(minuteBar(1, 100, 101, 99, 100));
    // The journal did fill up under the strategy's orders, and the error is the disk's.
    expect(seen.threw).toHaveLength(1);
    expect(seen.threw[0]).toMatchObject({ code: 'ERR_DB_WRITE', details: { sqlite: 'SQLITE_FULL' } });
    expect(seen.placed.length).toBeGreaterThan(0);

    expect(node.risk.state).toBe('HALTED');
    expect(states).toEqual([['HALTED', 'ERR_ENGINE_FAULT']]);
    expect(failures).toEqual([]);
    const info = node.strategyInfos().find((s) => s.id === 'filler-1');
    expect([info?.running, info?.failure]).toEqual([true, undefined]);

    // Every order at the venue is one the journal holds as submitted; the one it could not
    // write is not among them.
    const atVenue = venue.openOrders('BTC/USDT').map((o) => o.id);
    expect(atVenue).toEqual(seen.placed);
    for (const id of atVenue) expect(['SUBMITTED', 'ACCEPTED']).toContain(store.get(id)?.status);
    const journaled = store.list({ limit: 10_000 }).map((o) => o.id);
    expect(journaled.sort()).toEqual([...seen.placed].sort());

    // The operator frees the disk; still halted: the other strategy's order is denied.
    db.pragma('max_page_count = 1073741823');
    feed(minuteBar(2, 100, 101, 99, 100));
    expect(seen.refused).toEqual(['ERR_RISK_HALTED']);
    expect(venue.openOrders('BTC/USDT').map((o) => o.id)).toEqual(seen.placed);
  });

  it('without a failure policy (backtest): the storage error ends the run, named after the strategy', () => {
    const { node, feed, states } = run(false);
    let thrown: unknown;
    try {
      feed(minuteBar(1, 100, 101, 99, 100));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ code: 'ERR_DB_WRITE' });
    expect((thrown as Error).message).toMatch(/^strategy filler-1 failed in onBar/);
    expect(node.risk.state).toBe('ACTIVE');
    expect(states).toEqual([]);
  });
});
