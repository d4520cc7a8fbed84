/**
 * A liquidation of a live USDT-M position is booked as what it is: the fake Binance closes the
 * position with an "autoclose-…" order of its own (two trades, clearance fee), as Binance does;
 * the engine reads it through ccxt binanceusdm (fetchMyLiquidations: GET /fapi/v1/forceOrders,
 * and the order's trades from GET /fapi/v1/userTrades) and books each exchange trade as a fill
 * line of order LIQUIDATION — realized PnL, the losing trip in the loss streak, the audit record
 * `position.liquidated` — so that reconciliation finds nothing left to correct; once, across
 * reconciliation passes and a restart. With the private streams on, the liquidation order on the
 * user-data stream has it booked at once, before any reconciliation pass.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TradingEngineApi } from '../../../src/api/engine/TradingEngineApi.js';
import type { LiveVenue } from '../../../src/app/LiveVenue.js';
import type { TradingRuntime } from '../../../src/app/TradingRuntime.js';
import type { AppConfig } from '../../../src/config/configSchema.js';
import type { Fixed } from '../../../src/core/Fixed.js';
import { ZERO, formatFixed, parseFixed } from '../../../src/core/Fixed.js';
import { LIQUIDATION_FILLS, tradesTopic } from '../../../src/kernel/topics.js';
import type { OrderFilled } from '../../../src/model/events.js';
import type { OrderRequest } from '../../../src/model/OrderRequest.js';
import { FillStore } from '../../../src/storage/sqlite/FillStore.js';
import { openDatabase } from '../../../src/storage/sqlite/openDatabase.js';
import { fmtUnits } from '../../support/fakeBinance/decimal.js';
import type { FakeBinance } from '../../support/fakeBinance/FakeBinance.js';
import {
  PERP,
  futuresConfig,
  memoryAudit,
  perpTape,
  settled,
  startFuturesFake,
  startLive,
  until,
} from './support/futuresHarness.js';

const E8 = 100_000_000n; // one unit of the fake (1e-8) is 1e8 Fixed units (1e-16)

/** A loss streak of one cools a strategy down for an hour. */
function liquidationConfig(dbPath: string, streams = false): AppConfig {
  return futuresConfig(dbPath, {
    risk: {
      staleDataMs: 600_000,
      priceBandPct: 0.5,
      maxOrdersPerMinute: 1_000_000,
      consecutiveLossLimit: 1,
      cooldownMs: 3_600_000,
    },
    live: {
      confirmed: true,
      syncIntervalMs: 50,
      maxOrders: 50,
      reconcileIntervalMs: 600_000,
      resolveWithinMs: 3_000,
      streams,
      perpetuals: { [PERP]: { leverage: 5, marginMode: 'isolated' } },
    },
  });
}

function market(side: 'BUY' | 'SELL', qty: string): OrderRequest {
  return {
    symbol: PERP,
    side,
    type: 'MARKET',
    quantity: parseFixed(qty),
    timeInForce: 'GTC',
    postOnly: false,
    reduceOnly: false,
    tag: 'test',
  };
}

function wallet(fake: FakeBinance): Fixed {
  return (fake.account.futuresLedger.wallet * E8) as Fixed;
}

/** The fill lines the fake's liquidation trades must become, as the fill list shows them. */
function expectedLines(fake: FakeBinance, orderId: number): Record<string, unknown>[] {
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

describe('a live USDT-M liquidation is a fill line and a losing trip', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  /** Publishes `n` trades and waits until the engine saw the last one. */
  async function step(fake: FakeBinance, rt: TradingRuntime, n: number): Promise<void> {
    let seen = -1;
    const off = rt.node.bus.subscribe(tradesTopic(PERP), (t) => (seen = Number(t.id)));
    await fake.waitForSubscription('xrpusdt@trade', 10_000);
    fake.step(n);
    const want = fake.cursor('XRP/USDT');
    await until(() => seen === want, `trade ${want} seen`, 10_000);
    off();
  }

  /** A 1000 XRP long of strategy `manual`, booked. */
  async function openLong(rt: TradingRuntime): Promise<void> {
    rt.node.submit('manual', market('BUY', '1000'));
    await settled(rt);
    await until(() => rt.node.portfolio.positionQty(PERP) === parseFixed('1000'), 'long 1000');
  }

  it('books the exchange trades once: fill lines, realized PnL, loss streak; reconciliation and a restart find nothing to correct', async () => {
    const fake = await startFuturesFake(perpTape(30));
    closers.push(() => fake.close());
    fake.step(4);
    const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-liq-')), 'trading.db');
    const audit = memoryAudit();
    const rt = await startLive(fake, liquidationConfig(dbPath), audit);
    let running: TradingRuntime | undefined = rt;
    closers.push(async () => running?.stop());
    const told: OrderFilled[] = [];
    rt.node.bus.subscribe(LIQUIDATION_FILLS, (e) => told.push(e));
    const clearing = vi.spyOn(rt.node, 'onClearing');
    const venue = rt.venue as LiveVenue;

    await step(fake, rt, 2);
    await openLong(rt);
    await step(fake, rt, 2);
    // Binance liquidates the long well below its entry (~1.2), in two trades.
    const liq = fake.liquidate(PERP, { trades: [{ price: '1.0500', qty: '600' }, { price: '1.0400' }] });
    expect(liq.clientOrderId.startsWith('autoclose-')).toBe(true);
    expect(liq.tradeIds).toHaveLength(2);
    expect(fake.account.positions()['XRPUSDT']?.amt).toBe('0.00000000');

    expect(await venue.reconciler.run('periodic')).toBe(true);

    // The exchange's trades, exact, as fill lines of order LIQUIDATION, credited to `manual`.
    const api = new TradingEngineApi(rt);
    const lines = expectedLines(fake, liq.orderId);
    expect(api.fills({ orderId: 'LIQUIDATION', limit: 10, offset: 0 })).toEqual(lines);
    expect(told.map((e) => e.tradeId).sort()).toEqual(liq.tradeIds.map((id) => `LIQ-${PERP}-${id}`).sort());
    // What onLiquidation hands a strategy is frozen down to the exchange's trades.
    const heard = clearing.mock.calls.map(([e]) => e).filter((e) => e.type === 'PositionLiquidated');
    expect(heard.map((e) => e.trades?.length)).toEqual([2]);
    for (const e of heard) {
      expect(Object.isFrozen(e) && Object.isFrozen(e.trades)).toBe(true);
      expect(e.trades?.every((t) => Object.isFrozen(t))).toBe(true);
    }
    // Realized PnL and wallet as the exchange's, with nothing left for reconciliation.
    expect(rt.node.portfolio.positionQty(PERP)).toBe(ZERO);
    expect(rt.node.portfolio.cash('USDT')).toBe(wallet(fake));
    const exchangePnl = fake.account.futures.fills.reduce((s, f) => s + f.realizedPnl, 0n) * E8;
    expect(rt.node.portfolio.ledger.position(PERP).realizedPnl).toBe(exchangePnl);
    expect(exchangePnl).toBeLessThan(0n);
    const pnl = api.pnl({});
    expect(pnl.realized).toBe(formatFixed(exchangePnl as Fixed));
    expect(audit.records.filter((r) => r.kind === 'reconciliation.difference')).toEqual([]);
    const liquidated = audit.records.filter((r) => r.kind === 'position.liquidated');
    expect(liquidated.map((r) => [r.data['kind'], r.data['strategyId'], r.data['fills']])).toEqual([
      ['liquidation', 'manual', 2],
    ]);
    expect(liquidated[0]?.data['clientOrderId']).toBe(liq.clientOrderId);

    // The losing trip counted in the strategy's loss streak: it may not open again.
    expect(rt.node.submit('manual', market('BUY', '100')).reasonCode).toBe('ERR_RISK_COOLDOWN');

    // Another pass books nothing again and settles nothing.
    expect(await venue.reconciler.run('periodic')).toBe(true);
    expect(api.fills({ orderId: 'LIQUIDATION', limit: 10, offset: 0 })).toHaveLength(2);
    expect(venue.reconciler.settled).toBe(0);

    // A restart on the same database: the startup look sees the force order, books nothing.
    const cash = rt.node.portfolio.cash('USDT');
    await rt.stop();
    running = undefined;
    const audit2 = memoryAudit();
    const rt2 = await startLive(fake, liquidationConfig(dbPath), audit2);
    running = rt2;
    expect(rt2.node.portfolio.positionQty(PERP)).toBe(ZERO);
    expect(rt2.node.portfolio.cash('USDT')).toBe(cash);
    expect(rt2.node.portfolio.cash('USDT')).toBe(wallet(fake));
    expect(await (rt2.venue as LiveVenue).reconciler.run('periodic')).toBe(true);
    expect(audit2.records.filter((r) => r.kind === 'position.liquidated')).toEqual([]);
    expect(audit2.records.filter((r) => r.kind === 'reconciliation.difference')).toEqual([]);
    expect((rt2.venue as LiveVenue).reconciler.settled).toBe(0);
    const db = openDatabase(dbPath);
    try {
      expect(new FillStore(db).list({ orderId: 'LIQUIDATION' })).toHaveLength(2);
    } finally {
      db.close();
    }
  }, 60_000);

  it('a liquidation while the engine is down is booked at the next start, before the first comparison', async () => {
    const fake = await startFuturesFake(perpTape(30));
    closers.push(() => fake.close());
    fake.step(4);
    const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-liq-')), 'trading.db');
    const rt1 = await startLive(fake, liquidationConfig(dbPath));
    await step(fake, rt1, 2);
    await openLong(rt1);
    await rt1.stop();

    fake.step(2);
    const liq = fake.liquidate(PERP, { trades: [{ price: '1.0300' }] });
    const audit = memoryAudit();
    const rt2 = await startLive(fake, liquidationConfig(dbPath), audit);
    closers.push(() => rt2.stop());
    expect(new TradingEngineApi(rt2).fills({ orderId: 'LIQUIDATION', limit: 10, offset: 0 })).toEqual(
      expectedLines(fake, liq.orderId),
    );
    expect(rt2.node.portfolio.cash('USDT')).toBe(wallet(fake));
    expect(audit.records.filter((r) => r.kind === 'reconciliation.difference')).toEqual([]);
    // The trip read back from the journal ended in the liquidation: a losing one.
    await step(fake, rt2, 1);
    expect(rt2.node.submit('manual', market('BUY', '100')).reasonCode).toBe('ERR_RISK_COOLDOWN');
  }, 60_000);

  it('with the private streams on, the liquidation order on the user-data stream has it booked before any reconciliation pass', async () => {
    const fake = await startFuturesFake(perpTape(30));
    closers.push(() => fake.close());
    fake.step(4);
    const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-liq-')), 'trading.db');
    const audit = memoryAudit();
    const rt = await startLive(fake, liquidationConfig(dbPath, true), audit);
    closers.push(() => rt.stop());
    const venue = rt.venue as LiveVenue;
    await until(
      () => venue.client.streamHealth()?.healthySince !== undefined,
      'private streams healthy',
      10_000,
    );
    await step(fake, rt, 2);
    await openLong(rt);
    const passes = venue.reconciler.runs;
    const liq = fake.liquidate(PERP, { trades: [{ price: '1.0600' }] });
    await until(() => rt.node.portfolio.positionQty(PERP) === ZERO, 'liquidation booked', 10_000);
    expect(venue.reconciler.runs).toBe(passes);
    expect(new TradingEngineApi(rt).fills({ orderId: 'LIQUIDATION', limit: 10, offset: 0 })).toEqual(
      expectedLines(fake, liq.orderId),
    );
    expect(rt.node.portfolio.cash('USDT')).toBe(wallet(fake));
    // The next pass finds it booked: nothing again, nothing to settle.
    expect(await venue.reconciler.run('periodic')).toBe(true);
    expect(venue.reconciler.settled).toBe(0);
    expect(audit.records.filter((r) => r.kind === 'position.liquidated')).toHaveLength(1);
  }, 60_000);
});
