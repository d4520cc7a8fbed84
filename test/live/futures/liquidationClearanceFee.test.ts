/**
 * A Binance liquidation's clearance fee booked apart from its trades (an income row of type
 * INSURANCE_CLEAR, GET /fapi/v1/income) is a fee of that liquidation in our books. Before, the
 * booking took only the closing trades' commissions: our wallet stayed above the exchange's by
 * the clearance fee until the next reconciliation pass adopted the exchange's balance as an
 * unexplained 'balance' difference, and the liquidation's event and notification did not show
 * it. Now the look that books the trades reads the clearance fees too (the funding payments'
 * income reader) and adds them to the liquidation's last trade's fee: the fill line, the wallet,
 * the audit record, the LIQUIDATIONS event and the notification carry it, once. The event
 * (`clearanceFee`) and the notification (text and data) also name it apart, as the total fee
 * alone did not say that part of it was charged apart from the trades.
 */
import { describe, expect, it } from 'vitest';
import { TradingEngineApi } from '../../../src/api/engine/TradingEngineApi.js';
import type { LiveVenue } from '../../../src/app/LiveVenue.js';
import type { Fixed } from '../../../src/core/Fixed.js';
import { ZERO, add, formatFixed, parseFixed } from '../../../src/core/Fixed.js';
import type { LiquidationBooked } from '../../../src/kernel/topics.js';
import { LIQUIDATIONS } from '../../../src/kernel/topics.js';
import { fmtUnits } from '../../support/fakeBinance/decimal.js';
import { PERP, memoryAudit, perpTape, startLive, tradingExchange, until } from './support/futuresHarness.js';
import {
  closeAfterEach,
  exchangeWallet,
  manualFuturesConfig,
  openFake,
  stepSeen,
  tempDbPath,
  tradeTo,
} from './support/futuresFixtures.js';
import { watchLiquidations } from './support/liquidationWatch.js';

const fixedOf = (units: bigint): Fixed => parseFixed(fmtUnits(units));

describe('a live USDT-M liquidation with a clearance fee booked as income', () => {
  const closers = closeAfterEach();

  it('books the fee with the liquidation: wallet equal to the exchange, no balance difference, fee told', async () => {
    const fake = await openFake(closers, perpTape(30));
    const dbPath = tempDbPath('qts-liq-clear-');
    const audit = memoryAudit();
    const config = manualFuturesConfig(dbPath);
    const rt = await startLive(fake, config, audit);
    closers.push(() => rt.stop());
    const watch = await watchLiquidations(rt, config);
    closers.push(() => watch.stop());
    const events: LiquidationBooked[] = [];
    rt.node.bus.subscribe(LIQUIDATIONS, (e) => events.push(e));
    const venue = rt.venue as LiveVenue;

    await stepSeen(fake, rt, 2);
    await tradeTo(rt, 'BUY', '1000', '1000');
    await stepSeen(fake, rt, 2);
    expect(rt.node.portfolio.cash('USDT')).toBe(exchangeWallet(fake));

    // Binance liquidates the long in two trades and charges the clearance fee as income.
    const before = fake.account.futuresLedger.wallet;
    const liq = fake.liquidate(PERP, {
      trades: [{ price: '1.0500', qty: '600' }, { price: '1.0400' }],
      clearanceAsIncome: true,
    });
    // 1.25 % of the closed notional (600 × 1.05 + 400 × 1.04 = 1046).
    expect(liq.clearance?.fee).toBe('13.07500000');
    const trades = fake.account.futures.fills.filter((f) => f.orderId === liq.orderId);
    const commissions = trades.map((f) => f.commission);
    const realized = trades.reduce((s, f) => s + f.realizedPnl, 0n);
    // The trades paid the taker fee only; the clearance fee left the wallet apart from them.
    expect(fake.account.futuresLedger.wallet).toBe(
      before + realized - commissions.reduce((s, c) => s + c, 0n) - 1_307_500_000n,
    );
    // The fake lists it as Binance does (GET /fapi/v1/income?incomeType=INSURANCE_CLEAR).
    const operator = await tradingExchange(fake);
    closers.push(() => operator.close());
    const rows = await operator.fetchFundingHistory(PERP, undefined, undefined, {
      incomeType: 'INSURANCE_CLEAR',
    });
    expect(rows.map((r) => [r.id, (r.info as Record<string, unknown>)['income']])).toEqual([
      [String(liq.clearance?.tranId), '-13.07500000'],
    ]);
    expect(await operator.fetchFundingHistory(PERP)).toEqual([]); // not a funding payment

    expect(await venue.reconciler.run('periodic')).toBe(true);

    // Our wallet is the exchange's, with nothing left for reconciliation to adopt.
    expect(rt.node.portfolio.positionQty(PERP)).toBe(ZERO);
    expect(rt.node.portfolio.cash('USDT')).toBe(exchangeWallet(fake));
    expect(audit.records.filter((r) => r.kind === 'reconciliation.difference')).toEqual([]);
    expect(venue.reconciler.settled).toBe(0);

    // The fee is the liquidation's: on its last trade's fill line, ...
    const clearance = parseFixed('13.075');
    const [first, second] = commissions.map(fixedOf);
    const api = new TradingEngineApi(rt);
    const lines = api.fills({ orderId: 'LIQUIDATION', limit: 10, offset: 0 }).reverse();
    expect(lines.map((l) => [l.tradeId, l.fee])).toEqual([
      [`LIQ-${PERP}-${trades[0]?.tradeId}`, formatFixed(first ?? ZERO)],
      [`LIQ-${PERP}-${trades[1]?.tradeId}`, formatFixed(add(second ?? ZERO, clearance))],
    ]);
    const totalFee = formatFixed(add(add(first ?? ZERO, second ?? ZERO), clearance));
    // ... in the audit record (with the exchange's income row), ...
    const liquidated = audit.records.filter((r) => r.kind === 'position.liquidated').map((r) => r.data);
    expect(liquidated).toHaveLength(1);
    expect(liquidated[0]).toMatchObject({
      kind: 'liquidation',
      fee: totalFee,
      clearanceFee: '13.075',
      clearanceIds: String(liq.clearance?.tranId),
    });
    // ... in the event ...
    expect(events.map((e) => e.fees.map((f) => [f.currency, formatFixed(f.amount)]))).toEqual([
      [['USDT', totalFee]],
    ]);
    // (the clearance part of it named: the exchange charged it apart from the trades) ...
    expect(events.map((e) => e.clearanceFee)).toEqual([{ currency: 'USDT', amount: clearance }]);
    // ... and in the notification.
    const sent = watch.sender.sent;
    await until(() => sent.some((n) => n.title.startsWith('LIQUIDATION')), 'the liquidation notification');
    const alert = sent.find((n) => n.data?.['liquidation'] === true);
    expect(alert?.data?.['fee']).toBe(totalFee);
    expect(alert?.data?.['clearanceFee']).toBe('13.075');
    expect(alert?.text).toContain(
      `clearance fee ${totalFee} USDT in total (13.075 USDT of it charged by the exchange apart from the trades)`,
    );

    // Another pass books nothing again and settles nothing.
    expect(await venue.reconciler.run('periodic')).toBe(true);
    expect(api.fills({ orderId: 'LIQUIDATION', limit: 10, offset: 0 })).toHaveLength(2);
    expect(rt.node.portfolio.cash('USDT')).toBe(exchangeWallet(fake));
    expect(venue.reconciler.settled).toBe(0);
  }, 60_000);
});
