/**
 * The margin mode of an open perpetual position is reconciled with the exchange's. An operator
 * who switched the symbol to cross in the Binance UI while it was flat left the engine's next
 * position margined cross on the exchange while our books held it isolated: the liquidation
 * price we showed, the margin carved out of the wallet and what new orders may use were the
 * isolated ones, and reconciliation said nothing. Now a pass reports a 'margin-mode' difference
 * (configured vs exchange's, audited with what the operator has to do), our books take the
 * exchange's mode meanwhile, and reconciliation stays not ready until the position is flat and
 * the engine has set the configured mode on the exchange again.
 */
import { describe, expect, it } from 'vitest';
import type { LiveVenue } from '../../../src/app/LiveVenue.js';
import { parseFixed } from '../../../src/core/Fixed.js';
import type { Fixed } from '../../../src/core/Fixed.js';
import type { AccountView } from '../../../src/execution/reconcileAccount.js';
import type { MarginModeName } from '../../../src/model/MarginMode.js';
import { reconcileAccount } from '../../../src/execution/reconcileAccount.js';
import { MarginMode } from '../../../src/model/MarginMode.js';
import { liquidationPrice } from '../../../src/portfolio/marginMath.js';
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

function view(modes: Record<string, MarginModeName>, positions: Record<string, string> = {}): AccountView {
  return {
    openOrders: new Map(),
    balances: new Map(),
    positions: new Map(Object.entries(positions).map(([s, q]) => [s, parseFixed(q)])),
    marginModes: new Map(Object.entries(modes)),
  };
}

const scope = { isOurs: (id: string) => id.startsWith('qts'), currencies: [], symbols: [PERP] };

describe('reconcileAccount: margin modes', () => {
  it('reports a different mode of a position open on either side', () => {
    const diff = { kind: 'margin-mode', key: PERP, local: 'isolated', exchange: 'cross' };
    expect(
      reconcileAccount(
        view({ [PERP]: 'isolated' }, { [PERP]: '100' }),
        view({ [PERP]: 'cross' }, { [PERP]: '100' }),
        scope,
      ),
    ).toEqual([diff]);
    // Open on the exchange only (beside the position difference), or in our books only.
    expect(
      reconcileAccount(view({ [PERP]: 'isolated' }), view({ [PERP]: 'cross' }, { [PERP]: '-5' }), scope),
    ).toEqual([{ kind: 'position', key: PERP, local: '0', exchange: '-5' }, diff]);
    expect(
      reconcileAccount(
        view({ [PERP]: 'isolated' }, { [PERP]: '100' }),
        view({ [PERP]: 'cross' }, { [PERP]: '100' }),
        {
          ...scope,
          symbols: [],
        },
      ),
    ).toEqual([]);
  });

  it('is silent when the modes agree, when flat on both sides, or when a side does not say', () => {
    const open = { [PERP]: '100' };
    expect(reconcileAccount(view({ [PERP]: 'cross' }, open), view({ [PERP]: 'cross' }, open), scope)).toEqual(
      [],
    );
    expect(reconcileAccount(view({ [PERP]: 'isolated' }), view({ [PERP]: 'cross' }), scope)).toEqual([]);
    expect(reconcileAccount(view({ [PERP]: 'isolated' }, open), view({}, open), scope)).toEqual([]);
    expect(reconcileAccount(view({}, open), view({ [PERP]: 'cross' }, open), scope)).toEqual([]);
  });
});

describe('live perpetual: margin mode switched on the exchange', () => {
  const closers = closeAfterEach();

  it('is reported with what to do, booked as the exchange margins it, and resolved once flat', async () => {
    const fake = await openFake(closers, perpTape(20));
    const dbPath = tempDbPath('qts-perp-marginmode-');
    const audit = memoryAudit();
    const rt = await startLive(fake, futuresConfig(dbPath), audit);
    closers.push(() => rt.stop());
    const venue = rt.venue as LiveVenue;
    const margin = rt.node.portfolio.margin;
    const exchangePosition = (): { marginType: string } => fake.account.futuresLedger.position(PERP_ID);
    expect(exchangePosition().marginType).toBe('isolated');
    const recon = (): { ready: boolean; detail: string } | undefined =>
      rt.components().find((c) => c.name === 'reconciliation');
    expect(recon()?.ready).toBe(true);

    // The operator switches the flat symbol to cross in the exchange's UI (POST /fapi/v1/marginType).
    const operator = await tradingExchange(fake);
    closers.push(() => operator.close());
    await operator.setMarginMode('cross', PERP);
    expect(exchangePosition().marginType).toBe('cross');

    await fake.waitForSubscription('xrpusdt@trade', 10_000);
    fake.step(2);
    await until(() => rt.node.lastPrice(PERP) !== undefined, 'a live price');
    await tradeTo(rt, 'BUY', '100', '100');
    // Our books opened it isolated (the configured mode), the exchange cross.
    expect(margin.settings(PERP).mode).toBe(MarginMode.ISOLATED);
    expect(margin.isolatedMargin(PERP) > 0n).toBe(true);

    expect(await venue.reconciler.run('periodic')).toBe(false);
    const diffs = audit.records.filter((r) => r.kind === 'reconciliation.difference').map((r) => r.data);
    expect(diffs.map(({ action: _action, ...d }) => d)).toEqual([
      { reason: 'periodic', kind: 'margin-mode', key: PERP, local: 'isolated', exchange: 'cross' },
    ]);
    // What the operator has to do: close the position, or configure the exchange's mode.
    expect(String(diffs[0]?.['action'])).toMatch(
      /Close the position \(the engine then sets isolated again\), or set live\.perpetuals\["XRP\/USDT:USDT"\]\.marginMode to "cross" and restart/,
    );
    expect(audit.records.filter((r) => r.kind === 'reconciliation.result').at(-1)?.data).toMatchObject({
      found: 1,
      unresolved: 1,
    });
    // /health/ready: the reconciliation component is not ready and says why and what to do.
    expect(recon()?.ready).toBe(false);
    expect(recon()?.detail).toMatch(/margin-mode XRP\/USDT:USDT/);
    expect(recon()?.detail).toMatch(/is margined cross on the exchange, isolated is configured/);

    // Our books follow the exchange's mode: no margin carved out, the cross liquidation price.
    expect(margin.settings(PERP)).toEqual({ leverage: 5, mode: MarginMode.CROSS });
    expect(margin.isolatedMargin(PERP)).toBe(0n);
    expect(rt.node.portfolio.isolatedMarginOf(PERP)).toBeUndefined();
    expect(margin.crossWallet('USDT')).toBe(rt.node.portfolio.cash('USDT'));
    const pos = rt.node.portfolio.ledger.position(PERP);
    expect(margin.liquidationPrice(PERP)).toBe(
      liquidationPrice(rt.node.instrument(PERP), pos.qty, pos.costBasis, margin.crossWallet('USDT')),
    );
    // Nothing else was touched: the position and the wallet are the exchange's.
    expect(rt.node.portfolio.positionQty(PERP)).toBe(parseFixed('100'));
    expect(rt.node.portfolio.cash('USDT')).toBe(exchangeWallet(fake));

    // It cannot be settled while the position is open: the next pass reports it again.
    expect(await venue.reconciler.run('periodic')).toBe(false);
    expect(audit.records.filter((r) => r.kind === 'reconciliation.difference')).toHaveLength(2);
    expect(exchangePosition().marginType).toBe('cross');

    // The position closes: the engine sets the configured mode again, our books follow it.
    await tradeTo(rt, 'SELL', '100', '0');
    expect(await venue.reconciler.run('periodic')).toBe(true);
    expect(exchangePosition().marginType).toBe('isolated');
    expect(margin.settings(PERP)).toEqual({ leverage: 5, mode: MarginMode.ISOLATED });
    expect(recon()?.ready).toBe(true);
    expect(audit.records.filter((r) => r.kind === 'reconciliation.difference')).toHaveLength(2);
    expect(audit.records.filter((r) => r.kind === 'perpetual.settings').at(-1)?.data).toMatchObject({
      symbol: PERP,
      marginMode: 'isolated',
      restored: true,
    });

    // The next position is isolated on both sides again.
    await tradeTo(rt, 'BUY', '50', '50');
    expect(exchangePosition().marginType).toBe('isolated');
    expect(await venue.reconciler.run('periodic')).toBe(true);
  }, 60_000);

  it('switched to isolated: our books take the exchange isolated margin behind the position', async () => {
    const fake = await openFake(closers, perpTape(20));
    const base = futuresConfig(tempDbPath('qts-perp-marginmode-'));
    const config = {
      ...base,
      live: { ...base.live, perpetuals: { [PERP]: { leverage: 5, marginMode: 'cross' as const } } },
    };
    const audit = memoryAudit();
    const rt = await startLive(fake, config, audit);
    closers.push(() => rt.stop());
    const venue = rt.venue as LiveVenue;
    const margin = rt.node.portfolio.margin;
    const operator = await tradingExchange(fake);
    closers.push(() => operator.close());
    await operator.setMarginMode('isolated', PERP);

    await fake.waitForSubscription('xrpusdt@trade', 10_000);
    fake.step(2);
    await until(() => rt.node.lastPrice(PERP) !== undefined, 'a live price');
    await tradeTo(rt, 'SELL', '100', '-100');
    expect(margin.settings(PERP).mode).toBe(MarginMode.CROSS);
    const exchangeMargin = (fake.account.futuresLedger.position(PERP_ID).isolatedWallet * E8) as Fixed;
    expect(exchangeMargin > 0n).toBe(true);

    expect(await venue.reconciler.run('periodic')).toBe(false);
    expect(margin.settings(PERP)).toEqual({ leverage: 5, mode: MarginMode.ISOLATED });
    expect(margin.isolatedMargin(PERP)).toBe(exchangeMargin);
    const pos = rt.node.portfolio.ledger.position(PERP);
    expect(margin.liquidationPrice(PERP)).toBe(
      liquidationPrice(rt.node.instrument(PERP), pos.qty, pos.costBasis, exchangeMargin),
    );
    // The next pass finds the margin in agreement: only the mode is left to resolve.
    expect(await venue.reconciler.run('periodic')).toBe(false);
    const diffs = audit.records.filter((r) => r.kind === 'reconciliation.difference').map((r) => r.data);
    expect(diffs.map((d) => [d['kind'], d['local'], d['exchange']])).toEqual([
      ['margin-mode', 'cross', 'isolated'],
      ['margin-mode', 'cross', 'isolated'],
    ]);
    expect(rt.node.portfolio.cash('USDT')).toBe(exchangeWallet(fake));

    await tradeTo(rt, 'BUY', '100', '0');
    expect(await venue.reconciler.run('periodic')).toBe(true);
    expect(fake.account.futuresLedger.position(PERP_ID).marginType).toBe('cross');
    expect(margin.settings(PERP)).toEqual({ leverage: 5, mode: MarginMode.CROSS });
  }, 60_000);
});
