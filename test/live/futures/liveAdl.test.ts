/**
 * An auto-deleveraging (ADL) of a live USDT-M position is booked as what it is: the fake Binance
 * closes (part of) a winning long with its "adl_autoclose" order — no clearance fee — and the
 * engine reads it through ccxt binanceusdm (GET /fapi/v1/forceOrders with autoCloseType=ADL,
 * the trades from GET /fapi/v1/userTrades) and books each exchange trade as a fill line of order
 * LIQUIDATION: realized PnL and wallet the exchange's, the audit record `position.liquidated`
 * with kind `adl`, and the trip's end counted as the win it is — no loss-streak cooldown. A
 * partial ADL leaves the rest of the position with its margin, in agreement with the exchange.
 * An ADL in two trades is counted once in `trading_liquidations_total` and told once, as an ADL.
 */
import { describe, expect, it } from 'vitest';
import { TradingEngineApi } from '../../../src/api/engine/TradingEngineApi.js';
import type { LiveVenue } from '../../../src/app/LiveVenue.js';
import type { TradingRuntime } from '../../../src/app/TradingRuntime.js';
import type { AppConfig } from '../../../src/config/configSchema.js';
import type { Fixed } from '../../../src/core/Fixed.js';
import { ZERO, div, formatFixed, mulDiv, parseFixed } from '../../../src/core/Fixed.js';
import { LIQUIDATION_FILLS } from '../../../src/kernel/topics.js';
import { MarginMode } from '../../../src/model/MarginMode.js';
import type { OrderFilled } from '../../../src/model/events.js';
import type { Notification } from '../../../src/notify/Notification.js';
import { fmtUnits } from '../../support/fakeBinance/decimal.js';
import type { FakeBinance } from '../../support/fakeBinance/FakeBinance.js';
import { PERP, memoryAudit, perpTape, settled, startLive, until } from './support/futuresHarness.js';
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
} from './support/futuresFixtures.js';
import type { LiquidationWatch } from './support/liquidationWatch.js';
import { sample, total, watchLiquidations } from './support/liquidationWatch.js';

/** A loss streak of one cools a strategy down for an hour: a losing trip would show at once. */
function adlConfig(dbPath: string): AppConfig {
  return manualFuturesConfig(dbPath, { risk: COOLDOWN_AFTER_ONE_LOSS });
}

/** Sum of the exchange's realized PnL over every trade of the account, as Fixed. */
function exchangeRealized(fake: FakeBinance): Fixed {
  return (fake.account.futures.fills.reduce((s, f) => s + f.realizedPnl, 0n) * E8) as Fixed;
}

describe('a live USDT-M auto-deleveraging is a fill line and a winning trip', () => {
  const closers = closeAfterEach();

  /**
   * A runtime on a fresh database with the config's SMA strategy stopped (its crosses over the
   * many bars stepped here would move the position), at the tape's trade 6 (~1.21 USDT).
   */
  async function start(): Promise<{
    fake: FakeBinance;
    rt: TradingRuntime;
    audit: ReturnType<typeof memoryAudit>;
    watch: LiquidationWatch;
  }> {
    const fake = await openFake(closers, perpTape(30));
    const dbPath = tempDbPath('qts-adl-');
    const audit = memoryAudit();
    const rt = await startLive(fake, adlConfig(dbPath), audit);
    closers.push(() => rt.stop());
    const watch = await watchLiquidations(rt, adlConfig(dbPath));
    closers.push(() => watch.stop());
    rt.node.stopStrategy('sma-perp');
    await stepSeen(fake, rt, 2);
    return { fake, rt, audit, watch };
  }

  /** A 1000 XRP long of strategy `manual`, booked. */
  async function openLong(rt: TradingRuntime): Promise<void> {
    rt.node.submit('manual', marketOrder('BUY', '1000'));
    await settled(rt);
    await until(() => rt.node.portfolio.positionQty(PERP) === parseFixed('1000'), 'long 1000');
  }

  /** The `position.liquidated` records: kind, strategy, position before, fills, client order id. */
  function liquidated(audit: ReturnType<typeof memoryAudit>): unknown[][] {
    return audit.records
      .filter((r) => r.kind === 'position.liquidated')
      .map((r) => [
        r.data['kind'],
        r.data['strategyId'],
        r.data['positionQty'],
        r.data['fills'],
        r.data['clientOrderId'],
        r.data['fee'],
      ]);
  }

  /** The forced-close notifications sent (LIQUIDATION or ADL), once the queue had time to drain. */
  async function forcedCloseAlerts(watch: LiquidationWatch): Promise<Notification[]> {
    await until(
      () => watch.sender.sent.some((n) => n.data?.['liquidation'] === true),
      'the ADL notification',
    );
    await new Promise((r) => setTimeout(r, 200)); // anything else queued would arrive by now
    return watch.sender.sent.filter((n) => n.data?.['liquidation'] === true);
  }

  it('books a full ADL in two trades: exact fill lines without fee, wallet and PnL the exchange’s, kind adl, no cooldown', async () => {
    const { fake, rt, audit, watch } = await start();
    const told: OrderFilled[] = [];
    rt.node.bus.subscribe(LIQUIDATION_FILLS, (e) => told.push(e));
    const venue = rt.venue as LiveVenue;

    await openLong(rt);
    const entry = parseFixed(fake.account.positions()['XRPUSDT']?.entryPrice ?? '0');
    await stepSeen(fake, rt, 10); // the mark rises to ~1.224
    // Binance deleverages the winning long above its entry, in two trades (400, then the rest).
    const adl = fake.liquidate(PERP, {
      adl: true,
      trades: [{ price: '1.2250', qty: '400' }, { price: '1.2240' }],
    });
    expect(adl.clientOrderId).toBe('adl_autoclose');
    expect(adl.tradeIds).toHaveLength(2);
    expect(fake.account.positions()['XRPUSDT']?.amt).toBe('0.00000000');
    const adlTrades = fake.account.futures.fills.filter((f) => f.orderId === adl.orderId);
    expect(adlTrades.map((f) => [fmtUnits(f.price), fmtUnits(f.qty), f.commission])).toEqual([
      ['1.22500000', '400.00000000', 0n],
      ['1.22400000', '600.00000000', 0n],
    ]);
    expect(entry).toBeLessThan(parseFixed('1.2240'));

    expect(await venue.reconciler.run('periodic')).toBe(true);

    // The exchange's trades, exact — price, quantity, no fee — as fill lines of order LIQUIDATION.
    const api = new TradingEngineApi(rt);
    const lines = api.fills({ orderId: 'LIQUIDATION', limit: 10, offset: 0 });
    expect(lines).toEqual(liquidationLines(fake, adl.orderId));
    expect(lines.map((l) => [l.px, l.qty, l.fee])).toEqual([
      ['1.224', '600', '0'],
      ['1.225', '400', '0'],
    ]);
    expect(told.map((e) => e.tradeId).sort()).toEqual(adl.tradeIds.map((id) => `LIQ-${PERP}-${id}`).sort());

    // Wallet to the unit and realized PnL as the exchange's: a gain.
    expect(rt.node.portfolio.positionQty(PERP)).toBe(ZERO);
    expect(rt.node.portfolio.cash('USDT')).toBe(exchangeWallet(fake));
    const exchangePnl = exchangeRealized(fake);
    expect(exchangePnl).toBeGreaterThan(0n);
    expect(rt.node.portfolio.ledger.position(PERP).realizedPnl).toBe(exchangePnl);
    expect(api.pnl({}).realized).toBe(formatFixed(exchangePnl));
    expect(audit.records.filter((r) => r.kind === 'reconciliation.difference')).toEqual([]);
    expect(venue.reconciler.settled).toBe(0);
    expect(liquidated(audit)).toEqual([['adl', 'manual', '1000', 2, 'adl_autoclose', '0']]);

    // One forced close, counted once (each trade still a fill) and told once, as an ADL: the
    // quantity closed, the volume-weighted average price, no fee, both trades.
    const text = await watch.scrape();
    const sell = `strategy="manual",symbol="${PERP}",side="SELL"`;
    expect(total(text, 'trading_liquidations_total')).toBe(1);
    expect(sample(text, `trading_liquidations_total{${sell}}`)).toBe(1);
    expect(sample(text, `trading_fills_total{${sell},liquidity="TAKER"}`)).toBe(2);
    const alerts = await forcedCloseAlerts(watch);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: 'risk',
      severity: 'critical',
      title: `ADL: long 1000 ${PERP} closed @ 1.2244 avg, 2 trades`,
      data: {
        kind: 'adl',
        continued: false,
        qty: '1000',
        price: '1.2244',
        fee: '0',
        feeCurrency: 'USDT',
        realizedPnl: formatFixed(exchangePnl),
        trades: 2,
        tradeIds: adl.tradeIds.map((id) => `LIQ-${PERP}-${id}`).join(','),
        venueOrderId: String(adl.orderId),
      },
    });
    expect(alerts[0]?.text).toContain('was AUTO-DELEVERAGED by the exchange in 2 trades');
    expect(alerts[0]?.text).not.toContain('LIQUIDATED');

    // The winning trip does not cool the strategy down: a new order goes to the exchange.
    const next = rt.node.submit('manual', marketOrder('BUY', '100'));
    expect(next.reasonCode).toBeUndefined();
    await settled(rt);
    await until(() => rt.node.portfolio.positionQty(PERP) === parseFixed('100'), 'long 100');
    expect(fake.account.positions()['XRPUSDT']?.amt).toBe('100.00000000');
  }, 60_000);

  it('a partial ADL leaves the rest of the position with its margin; the trip that ends later counts the ADL’s gain', async () => {
    const { fake, rt, audit, watch } = await start();
    const venue = rt.venue as LiveVenue;
    const margin = rt.node.portfolio.margin;

    await openLong(rt);
    const before = margin.isolatedMargin(PERP);
    expect(before).toBeGreaterThan(0n);
    await stepSeen(fake, rt, 20); // the mark tops out at 1.23
    const adl = fake.liquidate(PERP, { adl: true, trades: [{ price: '1.2300', qty: '400' }] });
    expect(adl.clientOrderId).toBe('adl_autoclose');
    expect(adl.tradeIds).toHaveLength(1);
    const onExchange = fake.account.positions()['XRPUSDT'];
    expect(onExchange?.amt).toBe('600.00000000');

    expect(await venue.reconciler.run('periodic')).toBe(true);

    const api = new TradingEngineApi(rt);
    expect(api.fills({ orderId: 'LIQUIDATION', limit: 10, offset: 0 })).toEqual(
      liquidationLines(fake, adl.orderId),
    );
    // What is left is the exchange's position, still isolated, with the pro-rata margin behind it.
    const pos = rt.node.portfolio.ledger.position(PERP);
    expect(pos.qty).toBe(parseFixed(onExchange?.amt ?? ''));
    expect(div(pos.costBasis, pos.qty)).toBe(parseFixed(onExchange?.entryPrice ?? ''));
    expect(margin.settings(PERP)).toEqual({ mode: MarginMode.ISOLATED, leverage: 5 });
    expect(margin.isolatedMargin(PERP)).toBe(mulDiv(before, parseFixed('600'), parseFixed('1000')));
    expect(rt.node.portfolio.cash('USDT')).toBe(exchangeWallet(fake));
    expect(pos.realizedPnl).toBe(exchangeRealized(fake));
    expect(pos.realizedPnl).toBeGreaterThan(0n);
    expect(liquidated(audit)).toEqual([['adl', 'manual', '1000', 1, 'adl_autoclose', '0']]);
    // Told as the part of the position it closed.
    const alerts = await forcedCloseAlerts(watch);
    expect(
      alerts.map((n) => [n.title, n.data?.['qty'], n.data?.['positionQty'], n.data?.['trades']]),
    ).toEqual([[`ADL: 400 of long 1000 ${PERP} closed @ 1.23`, '400', '1000', 1]]);
    expect(total(await watch.scrape(), 'trading_liquidations_total')).toBe(1);
    // Nothing for reconciliation to correct, now or at the next pass.
    expect(await venue.reconciler.run('periodic')).toBe(true);
    expect(audit.records.filter((r) => r.kind === 'reconciliation.difference')).toEqual([]);
    expect(venue.reconciler.settled).toBe(0);
    expect(api.fills({ orderId: 'LIQUIDATION', limit: 10, offset: 0 })).toHaveLength(1);

    // The price falls below the entry; closing the rest loses, but the trip — ADL included — won.
    await stepSeen(fake, rt, 24);
    rt.node.submit('manual', marketOrder('SELL', '600'));
    await settled(rt);
    await until(() => rt.node.portfolio.positionQty(PERP) === ZERO, 'flat');
    const fills = fake.account.futures.fills;
    const last = fills[fills.length - 1];
    expect(last?.realizedPnl).toBeLessThan(0n);
    const tripNet = fills.reduce((s, f) => s + f.realizedPnl - f.commission, 0n);
    expect(tripNet).toBeGreaterThan(0n);
    expect(rt.node.portfolio.ledger.position(PERP).realizedPnl).toBe(exchangeRealized(fake));
    expect(rt.node.portfolio.cash('USDT')).toBe(exchangeWallet(fake));
    expect(margin.isolatedMargin(PERP)).toBe(ZERO);
    expect(rt.node.submit('manual', marketOrder('BUY', '100')).reasonCode).toBeUndefined();
  }, 60_000);
});
