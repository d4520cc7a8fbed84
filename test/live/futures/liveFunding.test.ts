/**
 * Funding of a live USDT-M perpetual booked as funding: the fake settles funding on the open
 * position (Binance's rule, into its wallet, with a FUNDING_FEE income row); the engine reads
 * the income history through ccxt binanceusdm's fetchFundingHistory before each
 * reconciliation pass and books every new payment once as a FundingSettled event. Books and
 * wallet then agree to the unit with nothing for the reconciliation to settle — also across a
 * restart, when a payment settled while the engine was down is booked at startup.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FundingReconciler } from '../../../src/app/FundingReconciler.js';
import type { LiveVenue } from '../../../src/app/LiveVenue.js';
import { parseFixed } from '../../../src/core/Fixed.js';
import type { Fixed } from '../../../src/core/Fixed.js';
import type { FundingSettled } from '../../../src/model/futuresEvents.js';
import { FundingStore } from '../../../src/storage/sqlite/FundingStore.js';
import { openDatabase } from '../../../src/storage/sqlite/openDatabase.js';
import { Strategy } from '../../../src/strategy/Strategy.js';
import type { FakeBinance } from '../../support/fakeBinance/FakeBinance.js';
import { PERP, PERP_ID, futuresConfig, memoryAudit, perpTape, startLive } from './support/futuresHarness.js';
import {
  E8,
  closeAfterEach,
  exchangeWallet,
  openFake,
  stepSeen,
  tempDbPath,
  tradeTo,
} from './support/futuresFixtures.js';

/** Hears every funding settlement of its symbols. */
class FundingWatch extends Strategy<Record<string, never>> {
  static readonly id = 'funding-watch';
  static readonly description = 'test: records onFunding';
  static readonly paramsSchema = z.object({});
  static heard: FundingSettled[] = [];
  override onFunding(event: FundingSettled): void {
    FundingWatch.heard.push(event);
  }
}

/** The fake's funding income rows of the perpetual, summed, in Fixed units. */
function incomeSum(fake: FakeBinance): Fixed {
  return (fake.funding.incomeRows.filter((r) => r.symbol === PERP_ID).reduce((s, r) => s + r.income, 0n) *
    E8) as Fixed;
}

describe('live USDT-M funding booked as funding', () => {
  const closers = closeAfterEach();

  it('books a paid and a received funding once each: funding line = income rows, cash = wallet, nothing to reconcile', async () => {
    const fake = await openFake(closers, perpTape(30));
    const audit = memoryAudit();
    const rt = await startLive(fake, futuresConfig(tempDbPath('qts-fund-')), audit);
    closers.push(() => rt.stop());
    FundingWatch.heard = [];
    rt.node.addStrategy({
      id: 'watch',
      strategyClass: FundingWatch,
      params: {},
      symbols: [PERP],
      timeframe: '1m',
    });
    const venue = rt.venue as LiveVenue;
    expect(venue.reconciler).toBeInstanceOf(FundingReconciler);

    await stepSeen(fake, rt, 2);
    await tradeTo(rt, 'BUY', '200', '200');
    await stepSeen(fake, rt, 2);
    // A long pays a positive rate.
    const paid = fake.settleFunding(PERP, '0.0001');
    expect(paid !== undefined && paid.income.startsWith('-')).toBe(true);
    expect(await venue.reconciler.run('periodic')).toBe(true);
    expect(FundingWatch.heard).toHaveLength(1);

    await tradeTo(rt, 'SELL', '500', '-300');
    await stepSeen(fake, rt, 2);
    // A short receives it.
    const received = fake.settleFunding(PERP, '0.0002');
    expect(received !== undefined && !received.income.startsWith('-')).toBe(true);
    expect(await venue.reconciler.run('periodic')).toBe(true);
    // A further pass finds nothing new.
    expect(await venue.reconciler.run('periodic')).toBe(true);

    const ledger = rt.node.portfolio.ledger;
    expect(fake.funding.incomeRows).toHaveLength(2);
    expect(ledger.fundingNet('USDT')).toBe(incomeSum(fake));
    expect(ledger.fundingNet('USDT')).not.toBe(0n);
    expect(rt.node.portfolio.cash('USDT')).toBe(exchangeWallet(fake));
    expect(audit.records.filter((r) => r.kind === 'reconciliation.difference')).toEqual([]);
    expect(FundingWatch.heard.map((e) => [e.amount, e.positionQty])).toEqual([
      [parseFixed(paid?.income ?? ''), parseFixed('200')],
      [parseFixed(received?.income ?? ''), parseFixed('-300')],
    ]);
    expect(FundingWatch.heard.map((e) => e.rate)).toEqual([parseFixed('0.0001'), parseFixed('0.0002')]);
    expect(rt.node.fundingRate(PERP)).toBe(0.0002);
    const booked = audit.records.filter((r) => r.kind === 'funding.settled').map((r) => r.data['paymentId']);
    expect(booked).toEqual([String(paid?.tranId), String(received?.tranId)]);
  }, 60_000);

  it('after a restart on the same database: nothing booked twice, a funding settled while down booked at startup', async () => {
    const fake = await openFake(closers, perpTape(30));
    const dbPath = tempDbPath('qts-fund-');
    const audit1 = memoryAudit();
    const rt1 = await startLive(fake, futuresConfig(dbPath), audit1);
    await stepSeen(fake, rt1, 2);
    await tradeTo(rt1, 'SELL', '300', '-300');
    await stepSeen(fake, rt1, 2);
    const first = fake.settleFunding(PERP, '-0.0003'); // a short pays a negative rate
    expect(await (rt1.venue as LiveVenue).reconciler.run('periodic')).toBe(true);
    expect(audit1.records.filter((r) => r.kind === 'funding.settled')).toHaveLength(1);
    await rt1.stop();

    // While the engine is down the exchange settles another funding.
    fake.step(2);
    const second = fake.settleFunding(PERP, '0.0001');
    expect(first !== undefined && second !== undefined).toBe(true);

    const audit2 = memoryAudit();
    const rt2 = await startLive(fake, futuresConfig(dbPath), audit2);
    closers.push(() => rt2.stop());
    // Booked during the startup reconciliation, before it compared the wallet.
    const booked = audit2.records.filter((r) => r.kind === 'funding.settled').map((r) => r.data['paymentId']);
    expect(booked).toEqual([String(second?.tranId)]);
    expect(rt2.node.portfolio.ledger.fundingNet('USDT')).toBe(parseFixed(second?.income ?? ''));
    expect(rt2.node.portfolio.cash('USDT')).toBe(exchangeWallet(fake));
    expect(audit2.records.filter((r) => r.kind === 'reconciliation.difference')).toEqual([]);
    expect(await (rt2.venue as LiveVenue).reconciler.run('periodic')).toBe(true);
    expect(audit2.records.filter((r) => r.kind === 'funding.settled')).toHaveLength(1);

    // The database holds each payment once; what it booked over both runs is the fake's income.
    const db = openDatabase(dbPath);
    try {
      const store = new FundingStore(db, 'binanceusdm');
      expect(store.payments().map((p) => [p.id, p.booked])).toEqual([
        [String(first?.tranId), true],
        [String(second?.tranId), true],
      ]);
      expect(store.bookedNet('USDT')).toBe(incomeSum(fake));
    } finally {
      db.close();
    }
  }, 60_000);
});
