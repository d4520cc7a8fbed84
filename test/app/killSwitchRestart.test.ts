/**
 * The kill switch outlives the process: orders a halted engine still had open when it stopped
 * (in live mode, a cancel the exchange never confirmed) are canceled again at the next start,
 * before any strategy runs. A breaker's HALTED (no kill switch) keeps its resting orders.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { RiskStateStore } from '../../src/storage/sqlite/RiskStateStore.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { until } from './support/http.js';
import { syntheticShadowConfig } from './support/syntheticShadowConfig.js';

function config(dbPath: string) {
  // Three limit buys 20, 40 and 60 % below the first close: they rest, nothing fills them. The
  // fat-finger band would deny buys that far from the market.
  return syntheticShadowConfig(
    dbPath,
    { id: 'grid', strategy: 'grid', params: { levels: 3, spacingPct: 20, orderSize: 0.1 } },
    { risk: { priceBandPct: 0.9 } },
  );
}

/** A first run that leaves the grid's three buys resting, then the trading state it is given while stopped. */
async function restingThenHalted(killSwitch: boolean): Promise<string> {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-kill-restart-')), 'trading.db');
  const log = pino({ level: 'silent' });
  const first = await TradingRuntime.startShadow(config(dbPath), { log, noServices: true, noHttp: true });
  try {
    await until(() => first.node.oms.openOrders().length === 3, 'the grid to rest three buys');
  } finally {
    await first.stop();
  }
  // Recorded while the engine is down, as a kill whose cancels never completed leaves it.
  const db = openDatabase(dbPath);
  new RiskStateStore(db).save({ state: 'HALTED', reason: 'drill', since: Date.now(), killSwitch });
  db.close();
  return dbPath;
}

describe('a restart with the trading state HALTED', () => {
  it('cancels the orders still open when the kill switch is on, and keeps them for a breaker halt', async () => {
    const log = pino({ level: 'silent' });
    for (const killSwitch of [true, false]) {
      const dbPath = await restingThenHalted(killSwitch);
      const rt = await TradingRuntime.startShadow(config(dbPath), { log, noServices: true, noHttp: true });
      try {
        expect(rt.node.risk.state, `killSwitch ${killSwitch}`).toBe('HALTED');
        expect(rt.node.oms.openOrders().length, `killSwitch ${killSwitch}`).toBe(killSwitch ? 0 : 3);
        if (killSwitch) expect(rt.node.oms.orderCounts().canceled).toBeGreaterThanOrEqual(3);
      } finally {
        await rt.stop();
      }
    }
  });
});
