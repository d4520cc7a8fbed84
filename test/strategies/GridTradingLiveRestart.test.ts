/**
 * The grid on a real live engine (SQLite file, the fake Binance) restarted after a buy rung
 * filled at the exchange while the engine was down: the start-up reconciliation books the fill,
 * the engine hands it to the grid after its start, and the grid answers with the rung's sell —
 * not with the same buy again, which would buy twice and leave the first coins unsold.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { ZERO, add, mul, sub, toFixed, toNumber } from '../../src/core/Fixed.js';
import { tradesTopic } from '../../src/kernel/topics.js';
import type { Order } from '../../src/model/Order.js';
import type { GridState } from '../../src/strategies/GridState.js';
import { SqliteStrategyStateStore } from '../../src/storage/sqlite/SqliteStrategyStateStore.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import type { Harness } from '../live/support/liveHarness.js';
import {
  SYMBOL,
  liveTestConfig,
  startHarness,
  startLiveRuntime,
  until,
} from '../live/support/liveHarness.js';

const log = pino({ level: process.env['QTS_TEST_LOG'] ?? 'silent' });

/**
 * Two buys 0.2 and 0.4 % under the first close. The tape is the same every run (1980–2020, one
 * swing in 44 trades): the first bar closes near 1987, so the upper buy is within a swing and the
 * lower one under the tape's low.
 */
function start(harness: Harness, dbPath: string): Promise<TradingRuntime> {
  const config = liveTestConfig({
    dbPath,
    account: { currency: 'USDT', initialCash: 100_000, commission: 0.001 },
    sma: { id: 'unused', symbol: SYMBOL, fast: 5, slow: 20, sizing: 'fixed:0.1' },
    live: { reconcileIntervalMs: 60_000, resolveWithinMs: 2_000, streams: false },
    extra: {
      marketData: { source: 'exchange', warmupBars: 0 },
      strategies: [
        {
          id: 'grid',
          strategy: 'grid',
          symbols: [SYMBOL],
          timeframe: '1m',
          params: { levels: 2, spacingPct: 0.2, orderSize: 0.01 },
        },
      ],
    },
  });
  return startLiveRuntime(harness, config, { log });
}

/**
 * Publishes the tape one trade at a time, each seen by the engine before the next (so an order
 * placed on a bar meets only the trades after it), until `done` holds.
 */
async function stepUntil(
  harness: Harness,
  rt: TradingRuntime,
  done: () => boolean,
  what: string,
  max = 200,
): Promise<void> {
  let seen = -1;
  const off = rt.node.bus.subscribe(tradesTopic(SYMBOL), (t) => (seen = Number(t.id)));
  try {
    await harness.fake.waitForSubscription('ethusdt@trade', 10_000);
    for (let i = 0; i < max && !done(); i++) {
      harness.fake.step(1);
      const want = harness.fake.cursor(SYMBOL);
      await until(() => seen >= want, `trade ${want} to reach the engine`, 10_000);
    }
  } finally {
    off();
  }
  if (!done()) throw new Error(`the tape ran ${max} trades without ${what}`);
}

const gridOrders = (rt: TradingRuntime): Order[] => [...rt.node.oms.openOrders(undefined, 'grid')];

describe('live grid: a buy rung filled while the engine was down', () => {
  let h: Harness | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await h?.close();
    h = undefined;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('after the restart the grid places the rung’s sell of what it bought, not another buy', async () => {
    h = await startHarness();
    const harness = h;
    const dir = mkdtempSync(join(tmpdir(), 'qts-grid-live-'));
    dirs.push(dir);
    const dbPath = join(dir, 'trading.db');

    const first = await start(harness, dbPath);
    let buys: Order[];
    try {
      await stepUntil(harness, first, () => gridOrders(first).length === 2, 'the grid laying its buys');
      buys = gridOrders(first);
      await until(() => buys.every((o) => o.status === 'ACCEPTED'), 'the exchange to accept the buys');
    } finally {
      await first.stop();
    }
    const atExchange = (o: Order) => harness.fake.account.orderByClientId(`qts${o.id}`);
    const top = buys.reduce((a, b) => ((a.request.price ?? ZERO) > (b.request.price ?? ZERO) ? a : b));
    // While the engine is down the market trades down to the upper buy.
    for (let i = 0; i < 100 && atExchange(top)?.status !== 'FILLED'; i++) harness.fake.step(1);
    expect(atExchange(top)?.status).toBe('FILLED');
    const filled = buys.filter((o) => atExchange(o)?.status === 'FILLED');
    const saved = (() => {
      const db = openDatabase(dbPath);
      try {
        return new SqliteStrategyStateStore(db, 'grid').get<GridState>(`grid:${SYMBOL}`);
      } finally {
        db.close();
      }
    })();
    expect(saved?.levels.map((l) => l.orderId)).toEqual(buys.map((o) => o.id));

    const rt = await start(harness, dbPath);
    try {
      // The start-up reconciliation booked the fill before the grid ran.
      expect(rt.node.oms.order(top.id)?.status).toBe('FILLED');
      expect(rt.node.portfolio.positionQty(SYMBOL)).toBeGreaterThan(ZERO);
      const before = new Set(buys.map((o) => o.id));
      const laid = () => gridOrders(rt).filter((o) => !before.has(o.id));
      await stepUntil(harness, rt, () => laid().length > 0, 'the grid acting after the restart');
      // Its first orders after the restart: a sell for each rung whose buy filled, nothing else.
      expect(laid().map((o) => o.request.side)).toEqual(filled.map(() => 'SELL'));
      for (const buy of filled) {
        const rung = saved?.levels.find((l) => l.orderId === buy.id);
        // One spacing (0.2 % of the reference) above the buy, on the tick.
        const sell = laid().find(
          (o) => Math.abs(toNumber(o.request.price ?? ZERO) - (rung?.sellPrice ?? 0)) < 0.01,
        );
        expect(sell, `the sell of ${buy.id}`).toBeDefined();
        expect(toNumber(sell?.request.price ?? ZERO)).toBeGreaterThan(toNumber(buy.request.price ?? ZERO));
      }
      // They sell what was bought: all the coins held (Binance took the buy's fee in ETH), but dust under a lot.
      const selling = laid().reduce((s, o) => add(s, o.request.quantity), ZERO);
      const held = rt.node.portfolio.positionQty(SYMBOL);
      expect(selling).toBeLessThanOrEqual(held);
      expect(sub(held, selling)).toBeLessThan(mul(toFixed('0.0001'), toFixed(filled.length)));
      const sells = laid();
      await until(
        () => sells.every((o) => atExchange(o)?.status === 'NEW' || atExchange(o)?.status === 'FILLED'),
        'the exchange to take the sells',
      );
      // The buys still resting were not laid twice.
      for (const o of buys.filter((b) => !filled.includes(b)))
        expect(rt.node.oms.order(o.id)?.isOpen).toBe(true);
      const buysAtExchange = harness.fake.account.orders('spot').filter((o) => o.side === 'BUY');
      expect(buysAtExchange.map((o) => o.clientOrderId).sort()).toEqual(buys.map((o) => `qts${o.id}`).sort());
    } finally {
      await rt.stop();
    }
  }, 90_000);
});
