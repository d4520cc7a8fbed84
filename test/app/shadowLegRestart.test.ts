/**
 * Shadow, restarted on the same database after one leg of a bracket closed part of the
 * position: a take-profit of 0.004 filled and closed, the stop-loss of the same OCO group
 * guards the 0.006 left. Only the stop-loss comes back with the open orders; it must still
 * guard 0.006 (the venue reads the closed leg's fills from the journal), not the whole 0.01
 * the entry bought, which the account no longer holds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { ZERO, formatFixed } from '../../src/core/Fixed.js';
import type { Bar } from '../../src/model/Bar.js';
import type * as Registry from '../../src/strategies/registry.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import { syntheticShadowConfig } from './support/syntheticShadowConfig.js';
import { until } from './support/http.js';

vi.mock('../../src/strategies/registry.js', async (importOriginal) => {
  const actual = await importOriginal<typeof Registry>();
  return {
    ...actual,
    // Legger is defined below; the lookup runs only once the test starts an engine.
    findStrategy: (id: string) => (id === Legger.id ? Legger : actual.findStrategy(id)),
  };
});

/** Bars the strategy has seen in the running engine. */
let barsSeen = 0;
/** The legs the strategy laid (in the first run). */
let placed: Ids | undefined;

interface Ids {
  readonly stopLoss: string;
  readonly takeProfit: string;
  readonly trigger: number;
}

/** Buys 0.01 with a stop-loss on all of it and a take-profit on 0.004 that fills at once. */
class Legger extends Strategy<Record<string, never>> {
  static readonly id = 'legger';
  static readonly description = 'test strategy: a bracket with a small take-profit';
  static readonly paramsSchema = z.object({});

  override onBar(bar: Bar): void {
    barsSeen += 1;
    if (this.ctx.isWarmingUp || this.ctx.state.get<Ids>('legs') !== undefined) return;
    const symbol = bar.symbol;
    const entry = this.ctx.buy(symbol, 0.01);
    const leg = { symbol, side: 'SELL', parentId: entry.id, ocoGroup: 'exit' } as const;
    const trigger = Math.round(bar.close * 0.9);
    const stopLoss = this.ctx.submitOrder({
      ...leg,
      quantity: 0.01,
      type: 'STOP_MARKET',
      triggerPrice: trigger,
    });
    // Below the market: it sells as soon as the entry filled.
    const price = Math.round(bar.close * 0.99);
    const takeProfit = this.ctx.submitOrder({ ...leg, quantity: 0.004, type: 'LIMIT', price });
    placed = { stopLoss: stopLoss.id, takeProfit: takeProfit.id, trigger };
    this.ctx.state.set('legs', placed);
  }
}

function start(dbPath: string): Promise<TradingRuntime> {
  barsSeen = 0;
  return TradingRuntime.startShadow(
    syntheticShadowConfig(
      dbPath,
      { id: 'legger', strategy: 'legger', params: {} },
      // The fat-finger band would deny a stop that far from the market.
      { risk: { priceBandPct: 0.5 } },
    ),
    { log: pino({ level: 'silent' }), noServices: true, noHttp: true },
  );
}

describe('shadow restart: a bracket leg counts what its closed sibling closed', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('the restored stop-loss sells the 0.006 left, instead of trying to sell 0.01 and selling nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-leg-restart-'));
    dirs.push(dir);
    const dbPath = join(dir, 'trading.db');

    const first = await start(dbPath);
    let ids: Ids | undefined;
    try {
      const oms = first.node.oms;
      await until(
        () => placed !== undefined && oms.lookup(placed.takeProfit)?.status === 'FILLED',
        'the take-profit to fill',
      );
      ids = placed;
      expect(oms.order(ids?.stopLoss ?? '')?.status).toBe('ACCEPTED');
      expect(formatFixed(first.node.portfolio.positionQty('BTC/USDT'))).toBe('0.006');
    } finally {
      await first.stop();
    }
    if (ids === undefined) throw new Error('no legs');
    // The market comes back under the stop: it fires on the first bar after the restart.
    const db = new Database(dbPath);
    try {
      db.prepare('UPDATE synthetic_market SET close = ?').run(Math.round(ids.trigger * 0.95));
    } finally {
      db.close();
    }

    const rt = await start(dbPath);
    try {
      const sl = () => rt.node.oms.order(ids.stopLoss) ?? rt.node.oms.lookup(ids.stopLoss);
      await until(() => sl()?.isOpen === false || barsSeen >= 50, 'the stop-loss to end or 50 bars');
      expect(sl()?.isOpen).toBe(false);
      // It sold what was left; the rest of its 0.01 was closed by its sibling before the stop.
      expect(formatFixed(sl()?.filledQty ?? ZERO)).toBe('0.006');
      expect(sl()?.reason).toBe('OCO_SIBLING_FILLED');
      expect(rt.node.portfolio.positionQty('BTC/USDT')).toBe(0n);
    } finally {
      await rt.stop();
    }
  }, 60_000);
});
