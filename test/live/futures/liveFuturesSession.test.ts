/**
 * A live session on a USDT-M perpetual against the fake's /fapi API, through an unmodified
 * ccxt binanceusdm: strategy → risk → OMS → ccxt → fake → execution reports → ledger. The
 * fake books every fill its own way (units of 1e-8, Binance's rules); our ledger books the
 * reports. At the end both must agree: signed position, realized PnL, fees and wallet.
 */
import { describe, expect, it } from 'vitest';
import type { LiveVenue } from '../../../src/app/LiveVenue.js';
import type { TradingRuntime } from '../../../src/app/TradingRuntime.js';
import { parseFixed, toFixed } from '../../../src/core/Fixed.js';
import type { Fixed } from '../../../src/core/Fixed.js';
import { isQtsError } from '../../../src/core/QtsError.js';
import type { FakeBinance } from '../../support/fakeBinance/FakeBinance.js';
import {
  PERP,
  PERP_ID,
  futuresConfig,
  memoryAudit,
  perpTape,
  replay,
  settled,
  startLive,
  until,
} from './support/futuresHarness.js';
import { E8, closeAfterEach, marketOrder, openFake, tempDbPath } from './support/futuresFixtures.js';

/** The fake's figures in Fixed units. */
function exchangeBooks(fake: FakeBinance): { position: Fixed; wallet: Fixed; realized: Fixed; fees: Fixed } {
  const ledger = fake.account.futuresLedger;
  const fills = fake.account.trades('futures');
  return {
    position: (ledger.position(PERP_ID).amt * E8) as Fixed,
    wallet: (ledger.wallet * E8) as Fixed,
    realized: (fills.reduce((s, f) => s + f.realizedPnl, 0n) * E8) as Fixed,
    fees: (fills.reduce((s, f) => s + f.commission, 0n) * E8) as Fixed,
  };
}

describe('live USDT-M perpetual session against the fake exchange', () => {
  const closers = closeAfterEach();

  async function boot(minutes = 90): Promise<{
    fake: FakeBinance;
    rt: TradingRuntime;
    audit: ReturnType<typeof memoryAudit>;
    trades: ReturnType<typeof perpTape>;
  }> {
    const trades = perpTape(minutes);
    const fake = await openFake(closers, trades);
    const audit = memoryAudit();
    const rt = await startLive(fake, futuresConfig(tempDbPath('qts-perp-')), audit);
    closers.push(() => rt.stop());
    return { fake, rt, audit, trades };
  }

  it('sets leverage and margin mode at the exchange before any order, then trades; books equal the exchange', async () => {
    const { fake, rt, audit, trades } = await boot();
    // Set at startup, before the first order reached the exchange.
    expect(fake.account.positions()[PERP_ID]).toMatchObject({ leverage: 5, marginType: 'isolated' });
    expect(fake.account.orders('futures')).toHaveLength(0);
    expect(audit.records.filter((r) => r.kind === 'perpetual.settings').map((r) => r.data)).toEqual([
      { symbol: PERP, leverage: 5, mode: 'ISOLATED', exchange: 'binanceusdm' },
    ]);
    expect(rt.node.portfolio.margin.settings(PERP)).toEqual({ leverage: 5, mode: 'ISOLATED' });

    await replay(fake, rt, trades.slice(0, trades.length - 40));
    const strategyOrders = fake.account.orders('futures').length;
    expect(strategyOrders).toBeGreaterThanOrEqual(4);

    // Orders of the API path (same risk engine and OMS): a short through flat, and a
    // reduce-only close larger than the position, which the exchange cuts to the position.
    const flat = rt.node.portfolio.positionQty(PERP);
    rt.node.submit('manual', marketOrder('SELL', '300'));
    await settled(rt);
    await until(() => rt.node.portfolio.positionQty(PERP) === flat - parseFixed('300'), 'short booked');
    expect(rt.node.portfolio.positionQty(PERP) < 0n).toBe(true);
    fake.step(8);
    const close = rt.node.submit('manual', marketOrder('BUY', '1000', true));
    await until(() => close.isTerminal, 'reduce-only close ended', 10_000);
    expect(close.status).toBe('CANCELED');
    expect(close.filledQty).toBe(-(flat - parseFixed('300')));
    expect(rt.node.portfolio.positionQty(PERP)).toBe(0n);
    // A reduce-only order on a flat position is refused by risk before any request.
    const denied = rt.node.submit('manual', marketOrder('SELL', '10', true));
    expect([denied.status, denied.reasonCode]).toEqual(['DENIED', 'ERR_RISK_REDUCE_ONLY']);

    // Open a long again and leave it open: unrealized PnL must not count as cash.
    rt.node.submit('manual', marketOrder('BUY', '200'));
    await settled(rt);
    await until(() => rt.node.portfolio.positionQty(PERP) === parseFixed('200'), 'long booked');
    fake.step(10);
    await (rt.venue as LiveVenue).client.sync();

    const ex = exchangeBooks(fake);
    const ledger = rt.node.portfolio.ledger;
    expect(rt.node.portfolio.positionQty(PERP)).toBe(ex.position);
    expect(ledger.realizedPnl()).toBe(ex.realized);
    expect(ledger.feesPaid('USDT')).toBe(ex.fees);
    expect(rt.node.portfolio.cash('USDT')).toBe(ex.wallet);
    expect(ex.realized).not.toBe(0n);
    // Every order reached the exchange once.
    for (const o of fake.account.orders('futures'))
      expect(fake.account.ordersCreated(o.clientOrderId)).toBe(1);
    // And a reconciliation pass finds nothing to settle.
    const venue = rt.venue as LiveVenue;
    expect(await venue.reconciler.run('periodic')).toBe(true);
    expect(audit.records.filter((r) => r.kind === 'reconciliation.difference')).toEqual([]);
  }, 120_000);

  it('refuses to start with a coded error when the exchange refuses the leverage', async () => {
    const trades = perpTape(20);
    const fake = await openFake(closers, trades);
    fake.account.futuresLedger.maxLeverage.set(PERP_ID, 20);
    const cfg = futuresConfig(tempDbPath('qts-perp-'), {});
    const over = {
      ...cfg,
      live: { ...cfg.live, perpetuals: { [PERP]: { leverage: 50, marginMode: 'cross' as const } } },
    };
    const err = await startLive(fake, over).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isQtsError(err) && err.code).toBe('ERR_PERPETUAL_SETTINGS_REFUSED');
    expect(String((err as Error).message)).toMatch(/leverage 50.*-4028|Leverage 50 is not valid/);
    // Nothing was ordered; the margin mode (set first) was, the leverage was not.
    expect(fake.account.orders('futures')).toHaveLength(0);
    expect(fake.account.positions()[PERP_ID]).toMatchObject({ leverage: 20, marginType: 'cross' });
  }, 30_000);

  it('reconciles a position the exchange holds and we do not: audit-logged, exchange wins', async () => {
    const trades = perpTape(20);
    const fake = await openFake(closers, trades);
    // A position opened outside this engine (a lost database, a human).
    const { tradingExchange } = await import('./support/futuresHarness.js');
    const other = await tradingExchange(fake);
    await other.loadMarkets();
    await other.createOrder(PERP, 'market', 'sell', 40, undefined, { clientOrderId: 'manual-1' });
    await other.close();
    const audit = memoryAudit();
    // The position is in cross margin (the fake's default): asking for isolated with a
    // position open would be refused, as Binance does (-4048).
    const cfg = futuresConfig(tempDbPath('qts-perp-'));
    const rt = await startLive(
      fake,
      { ...cfg, live: { ...cfg.live, perpetuals: { [PERP]: { leverage: 3, marginMode: 'cross' } } } },
      audit,
    );
    closers.push(() => rt.stop());
    const diffs = audit.records.filter((r) => r.kind === 'reconciliation.difference').map((r) => r.data);
    expect(diffs.map((d) => [d['kind'], d['key'], d['exchange']])).toEqual([
      ['balance', 'USDT', String(fake.account.futuresWallet()).replace(/0+$/, '').replace(/\.$/, '')],
      ['position', PERP, '-40'],
    ]);
    const ex = exchangeBooks(fake);
    expect(rt.node.portfolio.positionQty(PERP)).toBe(toFixed('-40'));
    expect(rt.node.portfolio.positionQty(PERP)).toBe(ex.position);
    expect(rt.node.portfolio.cash('USDT')).toBe(ex.wallet);
    expect((rt.venue as LiveVenue).reconciler.isReady()).toBe(true);
  }, 30_000);
});
