/**
 * Shadow: when the engine's own processing of market data throws (here: the fills table is gone,
 * as a damaged or full database would make a journal write fail), trading is HALTED with
 * ERR_ENGINE_FAULT — persisted, so a restart stays halted — and the market data keeps flowing:
 * the strategy keeps getting bars, its later orders are denied ERR_RISK_HALTED, and the fault is
 * logged once with its code rather than on every bar.
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Bar } from '../../src/model/Bar.js';
import type { OrderView } from '../../src/model/OrderView.js';
import type * as Registry from '../../src/strategies/registry.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import { RiskStateStore } from '../../src/storage/sqlite/RiskStateStore.js';
import { until } from './support/http.js';
import { startLoggedShadow } from './support/startLoggedShadow.js';

vi.mock('../../src/strategies/registry.js', async (importOriginal) => {
  const actual = await importOriginal<typeof Registry>();
  return {
    ...actual,
    // Defined below; the lookup runs only once the test starts an engine.
    findStrategy: (id: string) => (id === Trader.id ? Trader : actual.findStrategy(id)),
  };
});

/** What the strategy saw: bars, fills, and the reason codes of its refused orders. */
const seen = { bars: 0, fills: 0, refused: [] as string[] };

/** Buys on even bars and sells what it holds on odd ones. */
class Trader extends Strategy<Record<string, never>> {
  static readonly id = 'fault-trader';
  static readonly description = 'test strategy: trades every bar';
  static readonly paramsSchema = z.object({});
  override onBar(bar: Bar): void {
    seen.bars++;
    if (seen.bars % 2 === 0) this.ctx.buy(bar.symbol, 0.01);
    else if (this.ctx.position(bar.symbol).isLong) this.ctx.sell(bar.symbol);
  }
  override onFill(): void {
    seen.fills++;
  }
  override onOrderUpdate(order: OrderView): void {
    if (order.reasonCode !== undefined && order.status === 'DENIED') seen.refused.push(order.reasonCode);
  }
}

describe('shadow: a fault of the engine itself halts trading, the market data goes on', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('a fill that cannot be journaled: HALTED with ERR_ENGINE_FAULT, persisted; bars keep coming; orders denied', async () => {
    const { rt, dir, lines } = await startLoggedShadow('fault-trader');
    dirs.push(dir);
    try {
      await until(() => seen.fills >= 2, 'the strategy to trade', 30_000);
      // A damaged database: the next fill's journal write fails inside the engine.
      rt.db.exec('DROP TABLE fills');
      await until(() => rt.node.risk.state === 'HALTED', 'trading to halt', 30_000);
      const barsAtHalt = seen.bars;
      await until(() => seen.bars >= barsAtHalt + 6, 'bars to keep coming after the fault', 30_000);
      expect(seen.refused).toContain('ERR_RISK_HALTED');

      const saved = new RiskStateStore(rt.db).load();
      expect(saved).toMatchObject({ state: 'HALTED', killSwitch: false });
      expect(saved?.reason).toMatch(
        /^engine fault \(ERR_DB_WRITE\) processing BTC\/USDT .*no such table: fills/,
      );
      const faults = lines.filter((l) => l['code'] === 'ERR_ENGINE_FAULT' && l['level'] === 50);
      // The fault's own line (once: later ones within a minute are counted, not logged) and the halt.
      expect(faults.filter((l) => String(l['msg']).startsWith('ERR_ENGINE_FAULT:'))).toHaveLength(1);
      expect(faults.filter((l) => String(l['msg']).startsWith('TRADING HALTED'))).toHaveLength(1);
      // The stop cannot save the account either: it says so, and still closes everything.
      await expect(rt.stop()).rejects.toThrow(/no such table: fills/);
    } finally {
      await rt.stop().catch(() => undefined);
    }
  });
});
