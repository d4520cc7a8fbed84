/**
 * The margin behind an isolated perpetual position is reconciled with the exchange like the
 * position itself. Margin added on the exchange (the Binance UI, POST /fapi/v1/positionMargin)
 * used to go unseen: our isolated margin, and the liquidation price derived from it, stayed
 * what our fills had put there. Now a pass finds the difference ('isolated-margin', audited),
 * confirms it by the second look, adopts the exchange's figure (isolatedWallet of
 * /fapi/v3/positionRisk) and saves the ledger.
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { LiveVenue } from '../../../src/app/LiveVenue.js';
import { formatFixed, parseFixed } from '../../../src/core/Fixed.js';
import type { Fixed } from '../../../src/core/Fixed.js';
import type { AccountView } from '../../../src/execution/reconcileAccount.js';
import { reconcileAccount } from '../../../src/execution/reconcileAccount.js';
import { liquidationPrice } from '../../../src/portfolio/marginMath.js';
import type { AppConfig } from '../../../src/config/configSchema.js';
import {
  PERP,
  PERP_ID,
  futuresConfig,
  memoryAudit,
  perpTape,
  startLive,
  tradingExchange,
  until,
} from './support/futuresHarness.js';
import {
  E8,
  closeAfterEach,
  exchangeWallet,
  openFake,
  tempDbPath,
  tradeTo,
} from './support/futuresFixtures.js';

function view(isolated: Record<string, string>, positions: Record<string, string> = {}): AccountView {
  return {
    openOrders: new Map(),
    balances: new Map(),
    positions: new Map(Object.entries(positions).map(([s, q]) => [s, parseFixed(q)])),
    isolatedMargins: new Map(Object.entries(isolated).map(([s, m]) => [s, parseFixed(m)])),
  };
}

const scope = { isOurs: (id: string) => id.startsWith('qts'), currencies: [], symbols: [PERP] };

describe('reconcileAccount: isolated margins', () => {
  it('reports a difference beyond 1e-6, none within it', () => {
    expect(reconcileAccount(view({ [PERP]: '20' }), view({ [PERP]: '45' }), scope)).toEqual([
      { kind: 'isolated-margin', key: PERP, local: '20', exchange: '45' },
    ]);
    // The exchange's 8 decimals against our 16: rounding of a few bookings is no difference.
    expect(reconcileAccount(view({ [PERP]: '20.0000000049' }), view({ [PERP]: '20' }), scope)).toEqual([]);
    expect(reconcileAccount(view({ [PERP]: '20.000001' }), view({ [PERP]: '20' }), scope)).toEqual([]);
    expect(reconcileAccount(view({ [PERP]: '20.0000011' }), view({ [PERP]: '20' }), scope)).toHaveLength(1);
  });

  it('compares only symbols both sides report isolated (cross, spot, flat: neither lists them)', () => {
    expect(reconcileAccount(view({}), view({ [PERP]: '45' }), scope)).toEqual([]);
    expect(reconcileAccount(view({ [PERP]: '20' }), view({}), scope)).toEqual([]);
    const noField: AccountView = { openOrders: new Map(), balances: new Map(), positions: new Map() };
    expect(reconcileAccount(noField, noField, scope)).toEqual([]);
  });
});

describe('live isolated perpetual: margin added on the exchange', () => {
  const closers = closeAfterEach();

  it('is found, audited and adopted: our isolated margin and liquidation price follow the exchange', async () => {
    const fake = await openFake(closers, perpTape(20));
    const dbPath = tempDbPath('qts-perp-isomargin-');
    const config: AppConfig = futuresConfig(dbPath);
    const audit = memoryAudit();
    const rt = await startLive(fake, config, audit);
    closers.push(() => rt.stop());
    const venue = rt.venue as LiveVenue;
    const margin = rt.node.portfolio.margin;

    await fake.waitForSubscription('xrpusdt@trade', 10_000);
    fake.step(2);
    await until(() => rt.node.lastPrice(PERP) !== undefined, 'a live price');
    await tradeTo(rt, 'BUY', '100', '100');

    // The fake's isolated wallet follows the same model as ours (entry notional ÷ leverage 5).
    const exchangeMargin = (): Fixed =>
      (fake.account.futuresLedger.position(PERP_ID).isolatedWallet * E8) as Fixed;
    const before = margin.isolatedMargin(PERP);
    expect(before > 0n).toBe(true);
    expect(before).toBe(exchangeMargin());
    expect(await venue.reconciler.run('periodic')).toBe(true);
    expect(audit.records.filter((r) => r.kind === 'reconciliation.difference')).toEqual([]);
    const liqBefore = margin.liquidationPrice(PERP);
    expect(liqBefore).toBeDefined();

    // The operator adds 25 USDT of margin on the exchange (POST /fapi/v1/positionMargin).
    const operator = await tradingExchange(fake);
    await operator.addMargin(PERP, 25);
    const adopted = exchangeMargin();
    expect(adopted).toBe(before + parseFixed('25'));
    // The wallet holds isolated margin too: moving margin into the position leaves it equal.
    expect(rt.node.portfolio.cash('USDT')).toBe(exchangeWallet(fake));

    const settledBefore = venue.reconciler.settled;
    expect(await venue.reconciler.run('periodic')).toBe(true);
    expect(margin.isolatedMargin(PERP)).toBe(adopted);
    expect(venue.reconciler.settled).toBe(settledBefore + 1);
    const diffs = audit.records.filter((r) => r.kind === 'reconciliation.difference');
    expect(diffs.map((r) => r.data)).toEqual([
      {
        reason: 'periodic',
        kind: 'isolated-margin',
        key: PERP,
        local: formatFixed(before),
        exchange: formatFixed(adopted),
      },
    ]);
    // The position and the wallet were not touched.
    expect(rt.node.portfolio.positionQty(PERP)).toBe(parseFixed('100'));
    expect(rt.node.portfolio.cash('USDT')).toBe(exchangeWallet(fake));

    // More margin behind a long: the liquidation price moved down, to what the model gives.
    const liqAfter = margin.liquidationPrice(PERP);
    const pos = rt.node.portfolio.ledger.position(PERP);
    expect(liqAfter).toBe(liquidationPrice(rt.node.instrument(PERP), pos.qty, pos.costBasis, adopted));
    expect(liqAfter !== undefined && liqBefore !== undefined && liqAfter < liqBefore).toBe(true);

    // The ledger was saved with the exchange's figure.
    const db = new Database(dbPath, { readonly: true });
    try {
      const row = db
        .prepare<[string], { isolated_margin: string | null }>(
          'SELECT isolated_margin FROM ledger_positions WHERE symbol = ? ORDER BY snapshot_id DESC LIMIT 1',
        )
        .get(PERP);
      expect(row?.isolated_margin).toBe(formatFixed(adopted));
    } finally {
      db.close();
    }

    // And the next pass agrees.
    expect(await venue.reconciler.run('periodic')).toBe(true);
    expect(audit.records.filter((r) => r.kind === 'reconciliation.difference')).toHaveLength(1);
  }, 60_000);

  it('a position adopted from the exchange takes the exchange margin behind it too', async () => {
    const fake = await openFake(closers, perpTape(20));
    // An isolated long opened outside this engine (a lost database, a human), then margin added.
    const other = await tradingExchange(fake);
    await other.loadMarkets();
    await other.setMarginMode('isolated', PERP);
    await other.setLeverage(5, PERP);
    await other.createOrder(PERP, 'market', 'buy', 100, undefined, { clientOrderId: 'manual-1' });
    await other.addMargin(PERP, 10);
    await other.close();
    const exchangeMargin = (fake.account.futuresLedger.position(PERP_ID).isolatedWallet * E8) as Fixed;

    const audit = memoryAudit();
    const dbPath = tempDbPath('qts-perp-isomargin-');
    const rt = await startLive(fake, futuresConfig(dbPath), audit);
    closers.push(() => rt.stop());
    expect(rt.node.portfolio.positionQty(PERP)).toBe(parseFixed('100'));
    expect(rt.node.portfolio.margin.isolatedMargin(PERP)).toBe(exchangeMargin);
    const diffs = audit.records.filter((r) => r.kind === 'reconciliation.difference').map((r) => r.data);
    expect(diffs.map((d) => [d['kind'], d['key'], d['exchange'], d['after']])).toEqual([
      ['balance', 'USDT', expect.any(String), undefined],
      ['position', PERP, '100', undefined],
      ['isolated-margin', PERP, formatFixed(exchangeMargin), 'position'],
    ]);
    expect((rt.venue as LiveVenue).reconciler.isReady()).toBe(true);
  }, 60_000);
});
