/**
 * Shadow, restarted on the same database while a trailing stop rests: the stop must trail on
 * from the best price it had seen before the stop (kept in SQLite by the simulated venue), not
 * from the first price after the restart, which would leave the position less protected.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { toNumber } from '../../src/core/Fixed.js';
import type { Bar } from '../../src/model/Bar.js';
import type * as Registry from '../../src/strategies/registry.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import { syntheticShadowConfig } from './support/syntheticShadowConfig.js';
import { until } from './support/http.js';

vi.mock('../../src/strategies/registry.js', async (importOriginal) => {
  const actual = await importOriginal<typeof Registry>();
  return {
    ...actual,
    // Trailer is defined below; the lookup runs only once the test starts an engine.
    findStrategy: (id: string) => (id === Trailer.id ? Trailer : actual.findStrategy(id)),
  };
});

/** Bars the strategy has seen in the running engine. */
let barsSeen = 0;

/** Buys 0.01 once, then protects it with a 10% trailing stop, and saves the stop's id. */
class Trailer extends Strategy<Record<string, never>> {
  static readonly id = 'trailer';
  static readonly description = 'test strategy: one trailing stop';
  static readonly paramsSchema = z.object({});

  override onBar(bar: Bar): void {
    barsSeen += 1;
    const state = this.ctx.state;
    if (this.ctx.isWarmingUp || state.get<string>('stop') !== undefined) return;
    if (state.get<string>('entry') === undefined) {
      state.set('entry', this.ctx.buy(bar.symbol, 0.01).id);
      return;
    }
    if (this.ctx.position(bar.symbol).qtyNumber <= 0) return;
    const stop = this.ctx.sell(bar.symbol, 0.01, { type: 'TRAILING_STOP', trailingPct: 0.1 });
    state.set('stop', stop.id);
  }
}

function start(dbPath: string): Promise<TradingRuntime> {
  barsSeen = 0;
  return TradingRuntime.startShadow(
    syntheticShadowConfig(dbPath, { id: 'trailer', strategy: 'trailer', params: {} }),
    { log: pino({ level: 'silent' }), noServices: true, noHttp: true },
  );
}

describe('shadow restart: a trailing stop keeps the best price it had seen', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('after the restart it fires where it stood before, not 10% under the first new price', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-trailing-restart-'));
    dirs.push(dir);
    const dbPath = join(dir, 'trading.db');

    const first = await start(dbPath);
    let stopId = '';
    let best = 0;
    try {
      const oms = first.node.oms;
      const resting = () =>
        oms.openOrders(undefined, 'trailer').find((o) => o.request.type === 'TRAILING_STOP');
      await until(() => resting() !== undefined, 'the trailing stop to rest');
      stopId = resting()?.id ?? '';
      const placedAt = barsSeen;
      await until(() => barsSeen >= placedAt + 20, '20 bars of trailing');
      const mark = (): number | undefined =>
        first.db
          .prepare<[string], number>('SELECT watermark FROM sim_trailing_marks WHERE order_id = ?')
          .pluck()
          .get(stopId);
      await until(() => mark() !== undefined, 'the best price to be recorded');
      expect(oms.order(stopId)?.status).toBe('ACCEPTED');
    } finally {
      await first.stop();
    }
    // The best price as the stopped engine left it, and the market brought back 15% under it:
    // a stop trailing from there anew would sit at 0.85 × 0.9 of it, the kept one at 0.9 of it.
    const db = new Database(dbPath);
    try {
      best = db
        .prepare<[string], number>('SELECT watermark FROM sim_trailing_marks WHERE order_id = ?')
        .pluck()
        .get(stopId) as number;
      const resumeAt = Math.round(best * 0.85 * 100) / 100;
      db.prepare('UPDATE synthetic_market SET close = ?').run(resumeAt);
    } finally {
      db.close();
    }
    expect(best).toBeGreaterThan(0);

    const rt = await start(dbPath);
    try {
      const stop = () => rt.node.oms.order(stopId) ?? rt.node.oms.lookup(stopId);
      await until(() => stop()?.status === 'FILLED' || barsSeen >= 50, 'the stop to fire or 50 bars');
      expect(stop()?.status).toBe('FILLED');
      const px = stop()?.avgPx;
      expect(px === undefined ? Number.NaN : toNumber(px)).toBeLessThanOrEqual(best * 0.9);
      expect(rt.node.portfolio.positionQty('BTC/USDT')).toBe(0n);
    } finally {
      await rt.stop();
    }
  }, 60_000);
});
