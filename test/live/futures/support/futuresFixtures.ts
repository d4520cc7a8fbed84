/**
 * What the live USDT-M tests that trade by hand share beside the harness: a fresh database
 * path, closing what a test started, the fake, the configuration of such a session, a market order of strategy `manual` booked to
 * an expected position, stepping the tape until the engine saw it, and the fake's figures in
 * Fixed units.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { TradingRuntime } from '../../../../src/app/TradingRuntime.js';
import type { AppConfig } from '../../../../src/config/configSchema.js';
import type { Fixed } from '../../../../src/core/Fixed.js';
import { formatFixed, parseFixed } from '../../../../src/core/Fixed.js';
import { tradesTopic } from '../../../../src/kernel/topics.js';
import type { OrderRequest } from '../../../../src/model/OrderRequest.js';
import { fmtUnits } from '../../../support/fakeBinance/decimal.js';
import type { FakeBinance, FakeTrade } from '../../../support/fakeBinance/FakeBinance.js';
import { PERP, futuresConfig, settled, startFuturesFake, until } from './futuresHarness.js';

/** What to close after each test of the describe block that calls this, the last pushed first. */
export function closeAfterEach(): (() => Promise<void>)[] {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });
  return closers;
}

/** The fake on `trades`, closed after the test, with the first four trades published. */
export async function openFake(
  closers: (() => Promise<void>)[],
  trades: readonly FakeTrade[],
): Promise<FakeBinance> {
  const fake = await startFuturesFake(trades);
  closers.push(() => fake.close());
  fake.step(4);
  return fake;
}

/** One unit of the fake (1e-8) is 1e8 Fixed units (1e-16). */
export const E8 = 100_000_000n;

/** A `trading.db` path in a new temporary directory named `prefix…`. */
export function tempDbPath(prefix: string): string {
  return join(mkdtempSync(join(tmpdir(), prefix)), 'trading.db');
}

/**
 * futuresConfig for a session driven by hand: loose risk limits (plus `risk`), live orders
 * confirmed and synced every 50 ms, reconciliation every ten minutes (a test runs a pass
 * itself), isolated 5×.
 */
export function manualFuturesConfig(
  dbPath: string,
  opts: { readonly risk?: Record<string, unknown>; readonly streams?: boolean } = {},
): AppConfig {
  return futuresConfig(dbPath, {
    risk: { staleDataMs: 600_000, priceBandPct: 0.5, maxOrdersPerMinute: 1_000_000, ...opts.risk },
    live: {
      confirmed: true,
      syncIntervalMs: 50,
      maxOrders: 50,
      reconcileIntervalMs: 600_000,
      resolveWithinMs: 3_000,
      streams: opts.streams ?? false,
      perpetuals: { [PERP]: { leverage: 5, marginMode: 'isolated' } },
    },
  });
}

/** A risk setting for manualFuturesConfig: a loss streak of one cools a strategy down for an hour. */
export const COOLDOWN_AFTER_ONE_LOSS = { consecutiveLossLimit: 1, cooldownMs: 3_600_000 } as const;

export function marketOrder(side: 'BUY' | 'SELL', qty: string, reduceOnly = false): OrderRequest {
  return {
    symbol: PERP,
    side,
    type: 'MARKET',
    quantity: parseFixed(qty),
    timeInForce: 'GTC',
    postOnly: false,
    reduceOnly,
    tag: 'test',
  };
}

/** A market order of strategy `manual`, waited for until the position is `expected`. */
export async function tradeTo(
  rt: TradingRuntime,
  side: 'BUY' | 'SELL',
  qty: string,
  expected: string,
): Promise<void> {
  rt.node.submit('manual', marketOrder(side, qty));
  await settled(rt);
  await until(() => rt.node.portfolio.positionQty(PERP) === parseFixed(expected), `position ${expected}`);
}

/** Publishes `n` trades and waits until the engine saw the last one. */
export async function stepSeen(fake: FakeBinance, rt: TradingRuntime, n: number): Promise<void> {
  let seen = -1;
  const off = rt.node.bus.subscribe(tradesTopic(PERP), (t) => (seen = Number(t.id)));
  await fake.waitForSubscription('xrpusdt@trade', 10_000);
  fake.step(n);
  const want = fake.cursor('XRP/USDT'); // trade ids are 1-based: the last published one
  await until(() => seen === want, `trade ${want} seen`, 10_000);
  off();
}

/** The fake's futures wallet, as Fixed. */
export function exchangeWallet(fake: FakeBinance): Fixed {
  return (fake.account.futuresLedger.wallet * E8) as Fixed;
}

/** The fill lines the fake's trades of its order `orderId` must become, as the fill list shows them. */
export function liquidationLines(fake: FakeBinance, orderId: number): Record<string, unknown>[] {
  return fake.account.futures.fills
    .filter((f) => f.orderId === orderId)
    .map((f) => ({
      orderId: 'LIQUIDATION',
      tradeId: `LIQ-${PERP}-${f.tradeId}`,
      strategyId: 'manual',
      symbol: PERP,
      side: f.side,
      qty: formatFixed(parseFixed(fmtUnits(f.qty))),
      px: formatFixed(parseFixed(fmtUnits(f.price))),
      fee: formatFixed(parseFixed(fmtUnits(f.commission))),
      feeCurrency: 'USDT',
      liquidity: 'TAKER',
      ts: f.time,
    }))
    .reverse(); // the fill list is newest first
}
