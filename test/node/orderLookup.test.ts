/**
 * ctx.order on a real TradingNode: a strategy finds its own orders by id, open or closed, never
 * another strategy's. With an SQLite order journal behind the node, an order closed in an
 * earlier run is found after a restart, where the OMS holds only the open orders.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toFixed } from '../../src/core/Fixed.js';
import type { Bar } from '../../src/model/Bar.js';
import type { OrderView } from '../../src/model/OrderView.js';
import { OrderStore } from '../../src/storage/sqlite/OrderStore.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import type { StrategyContext } from '../../src/strategy/StrategyContext.js';
import { minuteBar, simNode } from './support/simNode.js';

const SYM = 'BTC/USDT';
const bar = (i: number, c: number): Bar => minuteBar(i, c, c + 1, c - 1, c, SYM);

/** On its first live bar: a market buy (fills on the next bar) and a limit buy far below (rests). */
class Trader extends Strategy<Record<string, never>> {
  static readonly id = 'trader';
  static readonly description = 'test strategy';
  static readonly paramsSchema = z.object({});
  /** The context of the last instance started, per strategy id, to ask from the test. */
  static readonly contexts = new Map<string, StrategyContext>();
  /** What ctx.order answered at onStart for each id in `Trader.askAtStart`. */
  static atStart: (OrderView | undefined)[] = [];
  static askAtStart: string[] = [];
  /** The orders each strategy id placed: its market buy, then its limit buy. */
  static readonly placed = new Map<string, OrderView[]>();
  private traded = false;
  override onStart(): void {
    super.onStart();
    Trader.contexts.set(this.ctx.strategyId, this.ctx);
    Trader.atStart = Trader.askAtStart.map((id) => this.ctx.order(id));
  }
  override onBar(): void {
    if (this.ctx.isWarmingUp || this.traded) return;
    this.traded = true;
    Trader.placed.set(this.ctx.strategyId, [
      this.ctx.buy(SYM, 0.01),
      this.ctx.buy(SYM, 0.01, { type: 'LIMIT', price: 50 }),
    ]);
  }
}

const deploy = (id: string) => ({ id, strategyClass: Trader, params: {}, symbols: [SYM], timeframe: '1m' });

function ordersOf(strategyId: string): { filled: OrderView; resting: OrderView } {
  const [filled, resting] = Trader.placed.get(strategyId) ?? [];
  if (!filled || !resting) throw new Error(`${strategyId} did not place its two orders`);
  return { filled, resting };
}

describe('ctx.order', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    Trader.contexts.clear();
    Trader.placed.clear();
    Trader.askAtStart = [];
    Trader.atStart = [];
  });

  it("finds the strategy's own orders, open and closed, and never another strategy's", () => {
    const { node, feed } = simNode({ symbol: SYM });
    node.registerFeed(SYM, '1m');
    node.addStrategy(deploy('a'));
    node.addStrategy(deploy('b'));
    node.start();
    feed(bar(0, 100));
    feed(bar(1, 100));
    const a = ordersOf('a');
    const b = ordersOf('b');
    expect([a.filled.status, a.resting.status]).toEqual(['FILLED', 'ACCEPTED']);
    const ctxA = Trader.contexts.get('a');
    expect(ctxA?.order(a.resting.id)).toBe(a.resting);
    expect(ctxA?.order(a.filled.id)?.status).toBe('FILLED');
    expect(ctxA?.order(a.filled.id)?.filledQty).toBe(toFixed('0.01'));
    // Another strategy's orders, open or closed, and an id nobody made: not found.
    expect(ctxA?.order(b.resting.id)).toBeUndefined();
    expect(ctxA?.order(b.filled.id)).toBeUndefined();
    expect(ctxA?.order('Q-nobody')).toBeUndefined();
    expect(Trader.contexts.get('b')?.order(b.filled.id)?.status).toBe('FILLED');
  });

  it('finds an order closed in an earlier run in the SQLite journal after a restart, while warming up', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-order-lookup-'));
    dirs.push(dir);
    const dbPath = join(dir, 'trading.db');

    // First run: both strategies trade; the market buys fill, the limits rest.
    const db1 = openDatabase(dbPath);
    const store1 = new OrderStore(db1);
    const run1 = simNode({ symbol: SYM, journal: store1.journal });
    run1.node.registerFeed(SYM, '1m');
    run1.node.addStrategy(deploy('a'));
    run1.node.addStrategy(deploy('b'));
    run1.node.start();
    run1.feed(bar(0, 100));
    run1.feed(bar(1, 100));
    db1.close();
    const a = ordersOf('a');
    const b = ordersOf('b');
    expect(a.filled.status).toBe('FILLED');

    // The restart: a new node on the same file is given only the journal's open orders, and
    // its strategies start while warming up.
    const db2 = openDatabase(dbPath);
    try {
      const store2 = new OrderStore(db2);
      const run2 = simNode({ symbol: SYM, journal: store2.journal, orderIdsUsed: store2.lastSequence('Q') });
      for (const o of store2.loadOpenOrders()) run2.node.oms.adopt(o);
      expect(run2.node.oms.order(a.filled.id)).toBeUndefined();
      Trader.askAtStart = [a.filled.id, a.resting.id, b.filled.id, 'Q-nobody'];
      run2.node.beginWarmUp();
      run2.node.addStrategy(deploy('a'));
      run2.node.start();
      const [filled, resting, others, unknown] = Trader.atStart;
      // Rebuilt from its journaled events: its final state, fills and all.
      expect(filled?.status).toBe('FILLED');
      expect(filled?.strategyId).toBe('a');
      expect(filled?.filledQty).toBe(toFixed('0.01'));
      expect(filled?.events.map((e) => e.type)).toEqual(a.filled.events.map((e) => e.type));
      // The open one is the OMS's own (adopted, handed as its view), not a second copy from the journal.
      expect(resting).toBe(run2.node.oms.order(a.resting.id)?.view);
      expect(resting?.status).toBe('ACCEPTED');
      expect(others).toBeUndefined();
      expect(unknown).toBeUndefined();
      // The lookup did not take the closed order back under management.
      expect(run2.node.oms.order(a.filled.id)).toBeUndefined();
    } finally {
      db2.close();
    }
  });
});
