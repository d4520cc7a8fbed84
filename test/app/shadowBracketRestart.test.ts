/**
 * Shadow, restarted on the same database while a bracket's entry has filled: only open orders
 * come back from the journal, so the entry (FILLED) is not among them, yet its stop-loss and
 * take-profit must rest again at the simulated venue to keep guarding the position.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import type { Bar } from '../../src/model/Bar.js';
import type * as Registry from '../../src/strategies/registry.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import { syntheticShadowConfig } from './support/syntheticShadowConfig.js';
import { until } from './support/http.js';

vi.mock('../../src/strategies/registry.js', async (importOriginal) => {
  const actual = await importOriginal<typeof Registry>();
  return {
    ...actual,
    // Bracketer is defined below; the lookup runs only once the test starts an engine.
    findStrategy: (id: string) => (id === Bracketer.id ? Bracketer : actual.findStrategy(id)),
  };
});

/** The ids of the one bracket the strategy lays. */
interface Ids {
  readonly entry: string;
  readonly stopLoss: string;
  readonly takeProfit: string;
}

/** Buys once with a stop far below and a take-profit far above, and saves the ids. */
class Bracketer extends Strategy<Record<string, never>> {
  static readonly id = 'bracketer';
  static readonly description = 'test strategy: one bracket';
  static readonly paramsSchema = z.object({});

  override onBar(bar: Bar): void {
    if (this.ctx.isWarmingUp || this.ctx.state.get<Ids>('bracket') !== undefined) return;
    const b = this.ctx.bracket({
      symbol: bar.symbol,
      side: 'BUY',
      quantity: 0.01,
      stopLoss: Math.round(bar.close * 0.6),
      takeProfit: Math.round(bar.close * 1.5),
    });
    this.ctx.state.set('bracket', {
      entry: b.entry.id,
      stopLoss: b.stopLoss.id,
      takeProfit: b.takeProfit.id,
    });
  }
}

function start(dbPath: string): Promise<TradingRuntime> {
  return TradingRuntime.startShadow(
    syntheticShadowConfig(
      dbPath,
      { id: 'bracketer', strategy: 'bracketer', params: {} },
      // The fat-finger band would deny legs that far from the market.
      { risk: { priceBandPct: 0.9 } },
    ),
    { log: pino({ level: 'silent' }), noServices: true, noHttp: true },
  );
}

describe('shadow restart: a filled bracket entry keeps its children', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('the stop-loss and take-profit rest again after the restart instead of being canceled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-bracket-restart-'));
    dirs.push(dir);
    const dbPath = join(dir, 'trading.db');

    const first = await start(dbPath);
    let legs: string[] = [];
    try {
      const oms = first.node.oms;
      const open = () => oms.openOrders(undefined, 'bracketer');
      // Only the two legs left open: the entry filled.
      await until(
        () => open().length === 2 && open().every((o) => o.request.parentId !== undefined),
        'the entry to fill',
      );
      legs = open().map((o) => o.id);
      const entry = oms.lookup(oms.order(legs[0] ?? '')?.request.parentId ?? '');
      expect(entry?.status).toBe('FILLED');
    } finally {
      await first.stop();
    }

    const rt = await start(dbPath);
    try {
      for (const id of legs) expect(rt.node.oms.order(id)?.status).toBe('ACCEPTED');
      expect(rt.node.oms.openOrders(undefined, 'bracketer').map((o) => o.id)).toEqual(legs);
    } finally {
      await rt.stop();
    }
  }, 60_000);
});
