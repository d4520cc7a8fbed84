/**
 * A liquidation of a live USDT-M position is booked as what it is: the fake Binance closes the
 * position with an "autoclose-…" order of its own (two trades, clearance fee), as Binance does;
 * the engine reads it through ccxt binanceusdm (fetchMyLiquidations: GET /fapi/v1/forceOrders,
 * and the order's trades from GET /fapi/v1/userTrades) and books each exchange trade as a fill
 * line of order LIQUIDATION — realized PnL, the losing trip in the loss streak, the audit record
 * `position.liquidated` — so that reconciliation finds nothing left to correct; once, across
 * reconciliation passes and a restart. With the private streams on, the liquidation order on the
 * user-data stream has it booked at once, before any reconciliation pass. The two trades are
 * two fills but one liquidation: one count in `trading_liquidations_total`, one critical
 * notification with the quantity, the volume-weighted average price and the fees summed.
 */
import { describe, expect, it, vi } from 'vitest';
import { TradingEngineApi } from '../../../src/api/engine/TradingEngineApi.js';
import type { LiquidationBooking } from '../../../src/app/LiquidationBooking.js';
import type { ForcedCloseInfo } from '../../../src/app/LiquidationBooking.js';
import { LiveLiquidations } from '../../../src/app/LiveLiquidations.js';
import type { LiveLiquidationsOptions } from '../../../src/app/LiveLiquidations.js';
import type { LiveVenue } from '../../../src/app/LiveVenue.js';
import type { TradingRuntime } from '../../../src/app/TradingRuntime.js';
import type { AppConfig } from '../../../src/config/configSchema.js';
import type { Fixed } from '../../../src/core/Fixed.js';
import { ZERO, formatFixed, parseFixed } from '../../../src/core/Fixed.js';
import { LIQUIDATION_FILLS } from '../../../src/kernel/topics.js';
import type { OrderFilled } from '../../../src/model/events.js';
import type { PositionLiquidated } from '../../../src/model/futuresEvents.js';
import { MarginMode } from '../../../src/model/MarginMode.js';
import { FillStore } from '../../../src/storage/sqlite/FillStore.js';
import { openDatabase } from '../../../src/storage/sqlite/openDatabase.js';
import { fmtUnits } from '../../support/fakeBinance/decimal.js';
import { PERP, memoryAudit, perpTape, startLive, until } from './support/futuresHarness.js';
import {
  COOLDOWN_AFTER_ONE_LOSS,
  E8,
  closeAfterEach,
  exchangeWallet,
  liquidationLines,
  manualFuturesConfig,
  marketOrder,
  openFake,
  stepSeen,
  tempDbPath,
  tradeTo,
} from './support/futuresFixtures.js';
import { sample, total, watchLiquidations } from './support/liquidationWatch.js';

/** A loss streak of one cools a strategy down for an hour. */
function liquidationConfig(dbPath: string, streams = false): AppConfig {
  return manualFuturesConfig(dbPath, { risk: COOLDOWN_AFTER_ONE_LOSS, streams });
}

describe('a live USDT-M liquidation is a fill line and a losing trip', () => {
  const closers = closeAfterEach();

  /** A 1000 XRP long of strategy `manual`, booked. */
  function openLong(rt: TradingRuntime): Promise<void> {
    return tradeTo(rt, 'BUY', '1000', '1000');
  }

  it('books the exchange trades once: fill lines, realized PnL, loss streak; reconciliation and a restart find nothing to correct', async () => {
    const fake = await openFake(closers, perpTape(30));
    const dbPath = tempDbPath('qts-liq-');
    const audit = memoryAudit();
    const rt = await startLive(fake, liquidationConfig(dbPath), audit);
    let running: TradingRuntime | undefined = rt;
    closers.push(async () => running?.stop());
    const told: OrderFilled[] = [];
    rt.node.bus.subscribe(LIQUIDATION_FILLS, (e) => told.push(e));
    let watch: Awaited<ReturnType<typeof watchLiquidations>> | undefined = await watchLiquidations(
      rt,
      liquidationConfig(dbPath),
    );
    closers.push(async () => watch?.stop());
    const clearing = vi.spyOn(rt.node, 'onClearing');
    const venue = rt.venue as LiveVenue;

    await stepSeen(fake, rt, 2);
    await openLong(rt);
    await stepSeen(fake, rt, 2);
    // Binance liquidates the long well below its entry (~1.2), in two trades.
    const liq = fake.liquidate(PERP, { trades: [{ price: '1.0500', qty: '600' }, { price: '1.0400' }] });
    expect(liq.clientOrderId.startsWith('autoclose-')).toBe(true);
    expect(liq.tradeIds).toHaveLength(2);
    expect(fake.account.positions()['XRPUSDT']?.amt).toBe('0.00000000');

    expect(await venue.reconciler.run('periodic')).toBe(true);

    // The exchange's trades, exact, as fill lines of order LIQUIDATION, credited to `manual`.
    const api = new TradingEngineApi(rt);
    const lines = liquidationLines(fake, liq.orderId);
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
    expect(rt.node.portfolio.cash('USDT')).toBe(exchangeWallet(fake));
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

    // The operator sees ONE liquidation, not one per exchange trade: counted once (each trade
    // is still a fill), told once with the quantity closed, the volume-weighted average price,
    // the clearance fees summed and the trades.
    const liqTrades = fake.account.futures.fills.filter((f) => f.orderId === liq.orderId);
    expect(liqTrades.map((f) => [fmtUnits(f.price), fmtUnits(f.qty)])).toEqual([
      ['1.05000000', '600.00000000'],
      ['1.04000000', '400.00000000'],
    ]);
    const feeSum = formatFixed(parseFixed(fmtUnits(liqTrades.reduce((s, f) => s + f.commission, 0n))));
    expect(parseFixed(feeSum)).toBeGreaterThan(0n);
    const text = await watch.scrape();
    const sell = `strategy="manual",symbol="${PERP}",side="SELL"`;
    expect(sample(text, `trading_liquidations_total{${sell}}`)).toBe(1);
    expect(total(text, 'trading_liquidations_total')).toBe(1);
    expect(sample(text, `trading_fills_total{${sell},liquidity="TAKER"}`)).toBe(2);
    const sent = watch.sender.sent;
    await until(() => sent.some((n) => n.title.startsWith('LIQUIDATION')), 'the liquidation notification');
    await new Promise((r) => setTimeout(r, 200)); // anything else queued would arrive by now
    const alerts = sent.filter((n) => n.data?.['liquidation'] === true);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: 'risk',
      severity: 'critical',
      title: `LIQUIDATION: long 1000 ${PERP} closed @ 1.046 avg, 2 trades`,
      data: {
        liquidation: true,
        kind: 'liquidation',
        continued: false,
        strategy: 'manual',
        symbol: PERP,
        side: 'SELL',
        position: 'long',
        positionQty: '1000',
        qty: '1000',
        price: '1.046',
        fee: feeSum,
        feeCurrency: 'USDT',
        realizedPnl: formatFixed(exchangePnl as Fixed),
        trades: 2,
        orderId: 'LIQUIDATION',
        tradeIds: liq.tradeIds.map((id) => `LIQ-${PERP}-${id}`).join(','),
        venueOrderId: String(liq.orderId),
      },
    });
    expect(alerts[0]?.text).toContain(
      'was LIQUIDATED in 2 trades (600 @ 1.05, 400 @ 1.04) at a volume-weighted average of 1.046',
    );
    expect(alerts[0]?.text).toContain(`clearance fee ${feeSum} USDT in total`);
    expect(sent.some((n) => n.title.startsWith('Filled SELL'))).toBe(false);

    // The losing trip counted in the strategy's loss streak: it may not open again.
    expect(rt.node.submit('manual', marketOrder('BUY', '100')).reasonCode).toBe('ERR_RISK_COOLDOWN');

    // Another pass books nothing again and settles nothing.
    expect(await venue.reconciler.run('periodic')).toBe(true);
    expect(api.fills({ orderId: 'LIQUIDATION', limit: 10, offset: 0 })).toHaveLength(2);
    expect(venue.reconciler.settled).toBe(0);

    // A restart on the same database: the startup look sees the force order, books nothing.
    // Nothing more is counted or told by the pass that booked nothing.
    expect(total(await watch.scrape(), 'trading_liquidations_total')).toBe(1);
    expect(sent.filter((n) => n.data?.['liquidation'] === true)).toHaveLength(1);
    await watch.stop();
    watch = undefined;
    const cash = rt.node.portfolio.cash('USDT');
    await rt.stop();
    running = undefined;
    const audit2 = memoryAudit();
    const rt2 = await startLive(fake, liquidationConfig(dbPath), audit2);
    running = rt2;
    expect(rt2.node.portfolio.positionQty(PERP)).toBe(ZERO);
    expect(rt2.node.portfolio.cash('USDT')).toBe(cash);
    expect(rt2.node.portfolio.cash('USDT')).toBe(exchangeWallet(fake));
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
    const fake = await openFake(closers, perpTape(30));
    const dbPath = tempDbPath('qts-liq-');
    const rt1 = await startLive(fake, liquidationConfig(dbPath));
    await stepSeen(fake, rt1, 2);
    await openLong(rt1);
    await rt1.stop();

    fake.step(2);
    const liq = fake.liquidate(PERP, { trades: [{ price: '1.0300' }] });
    const audit = memoryAudit();
    const rt2 = await startLive(fake, liquidationConfig(dbPath), audit);
    closers.push(() => rt2.stop());
    expect(new TradingEngineApi(rt2).fills({ orderId: 'LIQUIDATION', limit: 10, offset: 0 })).toEqual(
      liquidationLines(fake, liq.orderId),
    );
    expect(rt2.node.portfolio.cash('USDT')).toBe(exchangeWallet(fake));
    expect(audit.records.filter((r) => r.kind === 'reconciliation.difference')).toEqual([]);
    // The trip read back from the journal ended in the liquidation: a losing one.
    await stepSeen(fake, rt2, 1);
    expect(rt2.node.submit('manual', marketOrder('BUY', '100')).reasonCode).toBe('ERR_RISK_COOLDOWN');
  }, 60_000);

  it('with the private streams on, the liquidation order on the user-data stream has it booked before any reconciliation pass', async () => {
    const fake = await openFake(closers, perpTape(30));
    const dbPath = tempDbPath('qts-liq-');
    const audit = memoryAudit();
    const rt = await startLive(fake, liquidationConfig(dbPath, true), audit);
    closers.push(() => rt.stop());
    const venue = rt.venue as LiveVenue;
    await until(
      () => venue.client.streamHealth()?.healthySince !== undefined,
      'private streams healthy',
      10_000,
    );
    await stepSeen(fake, rt, 2);
    await openLong(rt);
    const passes = venue.reconciler.runs;
    const liq = fake.liquidate(PERP, { trades: [{ price: '1.0600' }] });
    await until(() => rt.node.portfolio.positionQty(PERP) === ZERO, 'liquidation booked', 10_000);
    expect(venue.reconciler.runs).toBe(passes);
    expect(new TradingEngineApi(rt).fills({ orderId: 'LIQUIDATION', limit: 10, offset: 0 })).toEqual(
      liquidationLines(fake, liq.orderId),
    );
    expect(rt.node.portfolio.cash('USDT')).toBe(exchangeWallet(fake));
    // The next pass finds it booked: nothing again, nothing to settle.
    expect(await venue.reconciler.run('periodic')).toBe(true);
    expect(venue.reconciler.settled).toBe(0);
    expect(audit.records.filter((r) => r.kind === 'position.liquidated')).toHaveLength(1);
  }, 60_000);
});

describe('a force order the exchange is still filling at a look', () => {
  /** Binance's force order 9 on XRP, as ccxt's fetchMyLiquidations row, in `status`. */
  function forceOrder(status: string): Record<string, unknown> {
    return {
      timestamp: 1_700_000_000_500,
      info: {
        orderId: '9',
        clientOrderId: 'autoclose-1',
        status,
        side: 'SELL',
        updateTime: 1_700_000_000_500,
      },
    };
  }
  /** Trade `id` of that order, as ccxt's fetchMyTrades row. */
  function trade(id: number, qty: string, price: string): Record<string, unknown> {
    return {
      id: String(id),
      order: '9',
      timestamp: 1_700_000_000_000 + id,
      fee: { currency: 'USDT', cost: 0.1 },
      info: { qty, price, commission: '0.1', realizedPnl: '-5' },
    };
  }

  it('books the trades found later as the continuation of the liquidation, not as a new one', async () => {
    // Look 1: the order still filling, one trade; look 2: filled, both trades.
    const looks = [
      { status: 'PARTIALLY_FILLED', trades: [trade(1, '600', '1.05')] },
      { status: 'FILLED', trades: [trade(1, '600', '1.05'), trade(2, '400', '1.04')] },
    ];
    let look = 0;
    // The clearance fee, booked apart as income when the order completes (look 2): a fee of the
    // continuation, the part of the liquidation it belongs to.
    const clearance = {
      id: '77',
      timestamp: 1_700_000_000_002,
      info: { income: '-13.075', asset: 'USDT', tranId: '77', time: 1_700_000_000_002 },
    };
    const incomeAsked: unknown[] = [];
    const exchange = {
      id: 'binanceusdm',
      fetchMyLiquidations: (_s: string, _since: number, _l: number, p: { autoCloseType: string }) =>
        Promise.resolve(p.autoCloseType === 'LIQUIDATION' ? [forceOrder(looks[look]?.status ?? '')] : []),
      fetchMyTrades: () => Promise.resolve(looks[look]?.trades ?? []),
      fetchFundingHistory: (_s: string, since: number, _l: number, p: unknown) => {
        incomeAsked.push([since, p]);
        return Promise.resolve(look === 1 ? [clearance] : []);
      },
    };
    const stored = new Set<string>();
    const calls: { e: PositionLiquidated; close: ForcedCloseInfo }[] = [];
    const booking = {
      has: (id: string) => stored.has(id),
      book: (
        e: PositionLiquidated,
        tradeId: (id: string | undefined) => string,
        _d: unknown,
        close: ForcedCloseInfo,
      ) => {
        for (const t of e.trades ?? []) stored.add(tradeId(t.id));
        calls.push({ e, close });
        return [];
      },
    };
    const node = {
      portfolio: {
        currency: 'USDT',
        positionQty: () => parseFixed('1000'),
        margin: { settings: () => ({ mode: MarginMode.ISOLATED, leverage: 5 }) },
      },
      markPrice: () => 1.05,
    };
    const liquidations = new LiveLiquidations({
      exchange,
      gate: { run: <T>(f: () => Promise<T>) => f() },
      syncOrders: () => Promise.resolve(),
      node,
      symbols: [PERP],
      cursors: { cursor: () => 1_700_000_000_000, advance: () => undefined },
      booking: booking as unknown as LiquidationBooking,
      log: { warn: () => undefined, info: () => undefined },
      now: () => 1_700_000_001_000,
    } as unknown as LiveLiquidationsOptions);

    expect(await liquidations.poll()).toBe(1);
    look = 1;
    expect(await liquidations.poll()).toBe(1);
    expect(await liquidations.poll()).toBe(0); // nothing new
    expect(calls.map((c) => [c.e.trades?.map((t) => t.id), c.close])).toEqual([
      [['1'], { cause: 'liquidation', venueOrderId: '9', continued: false }],
      [
        ['2'],
        {
          cause: 'liquidation',
          venueOrderId: '9',
          continued: true,
          clearanceFee: { currency: 'USDT', amount: parseFixed('13.075') },
        },
      ],
    ]);
    // One liquidation in the health line, not two.
    expect(liquidations.booked).toBe(1);
    // The clearance fees were asked from each booking's first new trade, and the one charged at
    // completion went onto the continuation's trade, once.
    expect(incomeAsked).toEqual([
      [1_700_000_000_001, { incomeType: 'INSURANCE_CLEAR' }],
      [1_700_000_000_002, { incomeType: 'INSURANCE_CLEAR' }],
    ]);
    expect(calls.map((c) => c.e.trades?.map((t) => formatFixed(t.fee)))).toEqual([['0.1'], ['13.175']]);
    expect(calls.map((c) => formatFixed(c.e.fee))).toEqual(['0.1', '13.175']);
  });
});
