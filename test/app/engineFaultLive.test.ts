/**
 * Live: a fill the exchange reports through a REST lookup (outside the market-data path) that
 * the engine cannot book — here the fills table is gone, as a damaged or full database would
 * make the journal write fail — halts trading with ERR_ENGINE_FAULT, persisted. Before, the
 * execution client counted it as a stale report and the engine went on trading on an order
 * marked filled whose fill was never booked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { toFixed } from '../../src/core/Fixed.js';
import { RiskStateStore } from '../../src/storage/sqlite/RiskStateStore.js';
import type { Harness } from '../live/support/liveHarness.js';
import {
  SYMBOL,
  liveTestConfig,
  startHarness,
  startLiveRuntime,
  until,
} from '../live/support/liveHarness.js';

describe('live: a venue report the engine fails on halts trading', () => {
  let h: Harness | undefined;
  let rt: TradingRuntime | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await rt?.stop().catch(() => undefined);
    rt = undefined;
    await h?.close();
    h = undefined;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('a fill that cannot be journaled: HALTED with ERR_ENGINE_FAULT, not a dropped report', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino(
      { level: 'info' },
      { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) },
    );
    h = await startHarness();
    const fake = h.fake;
    const dir = mkdtempSync(join(tmpdir(), 'qts-fault-live-'));
    dirs.push(dir);
    // sma-cross with a 200-bar slow average: it never trades in this test; the order is ours.
    const config = liveTestConfig({
      dbPath: join(dir, 'trading.db'),
      account: { currency: 'USDT', initialCash: 100_000, commission: 0.001 },
      sma: { id: 'sma', symbol: SYMBOL, fast: 50, slow: 200, sizing: 'fixed:0.1' },
      live: { reconcileIntervalMs: 60_000, resolveWithinMs: 2_000, streams: false },
    });
    const engine = await startLiveRuntime(h, config, { log });
    rt = engine;
    await fake.waitForSubscription('ethusdt@trade', 10_000);
    fake.step(1);
    await until(() => engine.lastData.has(SYMBOL), 'a trade to reach the engine');
    // Under the market (the tape opens near 2010 and swings down to 1980): it rests, then fills.
    const buy = engine.node.submit('sma', {
      symbol: SYMBOL,
      side: 'BUY',
      type: 'LIMIT',
      price: toFixed(1995),
      quantity: toFixed('0.05'),
      timeInForce: 'GTC',
      postOnly: false,
      reduceOnly: false,
    });
    await until(() => buy.status === 'ACCEPTED', 'the exchange to accept the buy');
    expect(engine.node.risk.state).toBe('ACTIVE');

    engine.db.exec('DROP TABLE fills');
    while (fake.account.trades('spot').length === 0) fake.step(1);
    await until(() => engine.node.risk.state === 'HALTED', 'trading to halt', 10_000);

    const saved = new RiskStateStore(engine.db).load();
    expect(saved).toMatchObject({ state: 'HALTED', killSwitch: false });
    expect(saved?.reason).toMatch(
      new RegExp(
        `^engine fault \\(ERR_DB_WRITE\\) processing OrderFilled of order ${buy.id} from binance: .*no such table: fills`,
      ),
    );
    const faults = lines.filter((l) => l['code'] === 'ERR_ENGINE_FAULT' && l['level'] === 50);
    expect(faults.filter((l) => String(l['msg']).startsWith('ERR_ENGINE_FAULT:'))).toHaveLength(1);
    // A halted engine refuses new orders with the halt's reason code.
    const refused = engine.node.submit('sma', {
      symbol: SYMBOL,
      side: 'BUY',
      type: 'MARKET',
      quantity: toFixed('0.01'),
      timeInForce: 'GTC',
      postOnly: false,
      reduceOnly: false,
    });
    expect(refused.status).toBe('DENIED');
    expect(refused.reasonCode).toBe('ERR_RISK_HALTED');
  });
});
