/**
 * Shadow: a strategy's onBar sends orders and the engine's own order journal cannot write one of
 * them (the engine's SQLite file may not grow any more, as on a full disk). The ERR_DB_WRITE
 * thrown through the strategy's handler is an engine fault: trading is HALTED with
 * ERR_ENGINE_FAULT, the strategy is not quarantined (no "strategy failed" alert), and the
 * market data keeps flowing, its later orders denied ERR_RISK_HALTED. The same when the strategy
 * catches the ERR_DB_WRITE its `buy` threw and carries on: the journal reports each write it could
 * not make itself, and nothing it lost is held open or reaches the venue.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Bar } from '../../src/model/Bar.js';
import type { OrderView } from '../../src/model/OrderView.js';
import type * as Registry from '../../src/strategies/registry.js';
import { OrderStore } from '../../src/storage/sqlite/OrderStore.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import { until } from './support/http.js';
import { startLoggedShadow } from './support/startLoggedShadow.js';

vi.mock('../../src/strategies/registry.js', async (importOriginal) => {
  const actual = await importOriginal<typeof Registry>();
  return {
    ...actual,
    // Defined below; the lookup runs only once the test starts an engine.
    findStrategy: (id: string) =>
      id === Filler.id ? Filler : id === Swallower.id ? Swallower : actual.findStrategy(id),
  };
});

/** What the strategy saw: bars, the storage errors its onBar met, its refused orders' codes. */
const seen = { bars: 0, threw: [] as unknown[], refused: [] as string[], armed: false };

/**
 * Once armed, lays bulky resting buys far below the market in one onBar until the engine
 * throws (the journal full); afterwards one small buy per bar.
 */
class Filler extends Strategy<Record<string, never>> {
  static readonly id = 'journal-filler';
  static readonly description = 'test strategy: fills the journal';
  static readonly paramsSchema = z.object({});
  override onBar(bar: Bar): void {
    seen.bars++;
    if (!seen.armed) return;
    if (seen.threw.length > 0) {
      this.ctx.buy(bar.symbol, 0.001, { type: 'LIMIT', price: Math.round(bar.close / 2) });
      return;
    }
    try {
      for (let i = 0; i < 2000; i++)
        this.ctx.buy(bar.symbol, 0.001, {
          type: 'LIMIT',
          price: Math.round(bar.close / 2),
          tag: 'x'.repeat(2000),
        });
    } catch (e) {
      seen.threw.push(e);
      throw e;
    }
  }
  override onOrderUpdate(order: OrderView): void {
    if (order.reasonCode !== undefined && order.status === 'DENIED') seen.refused.push(order.reasonCode);
  }
}

/** What the strategy saw: bars, the errors it caught, its refused orders' codes. */
const swallowed = { bars: 0, caught: [] as unknown[], refused: [] as string[], armed: false };

/** Once armed, lays bulky resting buys far below the market until one throws, and swallows it. */
class Swallower extends Strategy<Record<string, never>> {
  static readonly id = 'journal-swallower';
  static readonly description = 'test strategy: ignores what its orders throw';
  static readonly paramsSchema = z.object({});
  override onBar(bar: Bar): void {
    swallowed.bars++;
    if (!swallowed.armed) return;
    try {
      const n = swallowed.caught.length > 0 ? 1 : 2000;
      for (let i = 0; i < n; i++)
        this.ctx.buy(bar.symbol, 0.001, {
          type: 'LIMIT',
          price: Math.round(bar.close / 2),
          ...(n > 1 ? { tag: 'x'.repeat(2000) } : {}),
        });
    } catch (e) {
      // What a careless strategy does: logs nothing, goes on.
      swallowed.caught.push(e);
    }
  }
  override onOrderUpdate(order: OrderView): void {
    if (order.reasonCode !== undefined && order.status === 'DENIED') swallowed.refused.push(order.reasonCode);
  }
}

describe('shadow: an order the journal cannot write, sent from a strategy handler', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('halts trading with ERR_ENGINE_FAULT; the strategy is not quarantined and keeps getting bars', async () => {
    const { rt, dir, lines } = await startLoggedShadow('journal-filler');
    dirs.push(dir);
    try {
      await until(() => seen.bars >= 3, 'the strategy to get bars', 30_000);
      // The engine's database may not grow any more: what a full disk does to the next page.
      rt.db.pragma(`max_page_count = ${rt.db.pragma('page_count', { simple: true }) as number}`);
      seen.armed = true;
      await until(() => seen.threw.length > 0, 'the journal to fill up', 30_000);
      expect(seen.threw[0]).toMatchObject({ code: 'ERR_DB_WRITE', details: { sqlite: 'SQLITE_FULL' } });
      expect(rt.node.risk.state).toBe('HALTED');
      const info = rt.node.strategyInfos().find((s) => s.id === 'journal-filler');
      expect([info?.running, info?.failure]).toEqual([true, undefined]);
      const fault = lines.find((l) => String(l['msg']).startsWith('ERR_ENGINE_FAULT:'));
      expect(String(fault?.['msg'])).toMatch(
        /^ERR_ENGINE_FAULT: the engine failed processing onBar of strategy journal-filler \(BTC\/USDT .*SQLITE_FULL/,
      );
      expect(lines.filter((l) => String(l['msg']).includes('quarantined'))).toEqual([]);
      // Reported where it surfaced (the strategy's call) and by the journal: one fault.
      expect(lines.filter((l) => String(l['msg']).startsWith('ERR_ENGINE_FAULT:'))).toHaveLength(1);

      // The operator frees the disk: still halted until resumed; bars go on, orders are denied.
      rt.db.pragma('max_page_count = 1073741823');
      const barsAtHalt = seen.bars;
      await until(() => seen.bars >= barsAtHalt + 3, 'bars to keep coming after the fault', 30_000);
      expect(seen.refused).toContain('ERR_RISK_HALTED');
      expect(rt.node.risk.state).toBe('HALTED');
    } finally {
      await rt.stop().catch(() => undefined);
    }
  });

  it('still halts trading with ERR_ENGINE_FAULT; nothing unjournaled is open or at the venue', async () => {
    const { rt, dir, lines } = await startLoggedShadow('journal-swallower');
    dirs.push(dir);
    try {
      await until(() => swallowed.bars >= 3, 'the strategy to get bars', 30_000);
      rt.db.pragma(`max_page_count = ${rt.db.pragma('page_count', { simple: true }) as number}`);
      swallowed.armed = true;
      await until(() => swallowed.caught.length > 0, 'the journal to fill up', 30_000);
      expect(swallowed.caught[0]).toMatchObject({ code: 'ERR_DB_WRITE', details: { sqlite: 'SQLITE_FULL' } });
      expect(rt.node.risk.state).toBe('HALTED');
      const faults = lines.filter((l) => String(l['msg']).startsWith('ERR_ENGINE_FAULT:'));
      expect(faults).toHaveLength(1);
      expect(String(faults[0]?.['msg'])).toMatch(/order \S+ of strategy journal-swallower .*not journaled/);
      const info = rt.node.strategyInfos().find((s) => s.id === 'journal-swallower');
      expect([info?.running, info?.failure]).toEqual([true, undefined]);

      // Every order open in memory is one the journal holds as sent.
      rt.db.pragma('max_page_count = 1073741823');
      const journaled = new Map(new OrderStore(rt.db).loadOpenOrders().map((o) => [o.id, o.status]));
      for (const o of rt.node.oms.openOrders()) expect([o.id, journaled.get(o.id)]).toEqual([o.id, o.status]);

      const barsAtHalt = swallowed.bars;
      await until(() => swallowed.bars >= barsAtHalt + 3, 'bars to keep coming after the fault', 30_000);
      expect(swallowed.refused).toContain('ERR_RISK_HALTED');
      expect(rt.node.risk.state).toBe('HALTED');
    } finally {
      await rt.stop().catch(() => undefined);
    }
  });
});
