/**
 * Shadow mode trading a USDT-M perpetual against the fake Binance futures (public endpoints
 * only): the configured leverage and margin mode are what the paper margin account uses, the
 * exchange's settled funding is charged to the paper position at the exchange's rate and mark
 * (exact), a settlement made while the engine was down is charged at the next start on the
 * restored position, once, and a position whose margin runs out is liquidated on the
 * simulated venue as in a backtest.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ShadowVenue } from '../../src/app/ShadowVenue.js';
import type { TradingRuntime } from '../../src/app/TradingRuntime.js';
import type { AppConfig } from '../../src/config/configSchema.js';
import type { Fixed } from '../../src/core/Fixed.js';
import { parseFixed } from '../../src/core/Fixed.js';
import type { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import { PERP, PERP_ID, perpTape, until } from '../live/futures/support/futuresHarness.js';
import {
  ClearingWatch,
  ShadowPerpHarness,
  buy,
  fallingTape,
  shadowConfig,
  startFake,
} from './support/shadowPerpetualsHarness.js';

const E8 = 100_000_000n; // one unit of the fake (1e-8) is 1e8 Fixed units (1e-16)

describe('shadow mode trades perpetuals as live would', () => {
  const h = new ShadowPerpHarness();
  afterEach(() => h.close());
  const closers = h.closers;
  const start = (fake: FakeBinance, config: AppConfig): Promise<TradingRuntime> => h.start(fake, config);
  const step = (fake: FakeBinance, rt: TradingRuntime, n: number): Promise<void> => h.step(fake, rt, n);

  /** The funding points the shadow clearing holds for the perpetual. */
  function fundingPoints(rt: TradingRuntime): number {
    return (rt.venue as ShadowVenue).perpetuals?.funding?.funding.get(PERP)?.length ?? 0;
  }

  /** The fake's settled rate and mark at index `i`, in Fixed units. */
  function settledAt(fake: FakeBinance, i: number): { time: number; rate: Fixed; mark: Fixed } {
    const r = fake.funding.rates.filter((x) => x.symbol === PERP_ID)[i];
    if (r === undefined) throw new Error(`no settlement ${i}`);
    return { time: r.time, rate: (r.rate * E8) as Fixed, mark: (r.markPrice * E8) as Fixed };
  }

  /** −qty × mark × rate, exact (qty, mark and rate have few decimals). */
  const charge = (qty: Fixed, mark: Fixed, rate: Fixed): bigint => -((qty * mark * rate) / 10n ** 32n);

  it('margins at the configured 5x cross and charges the settled funding exactly, also one made while stopped', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-shadow-perp-')), 'trading.db');
    const fake = await startFake(perpTape(40));
    closers.push(() => fake.close());
    fake.step(4);
    const config = shadowConfig(dbPath, {
      shadow: { perpetuals: { [PERP]: { leverage: 5, marginMode: 'cross' } } },
    });
    let rt = await start(fake, config);
    expect(rt.node.portfolio.margin.settings(PERP)).toEqual({ leverage: 5, mode: 'CROSS' });
    await step(fake, rt, 1);

    // 5000 XRP at ~1.2 is ~6000 USDT: 1200 of margin at 5x, more than the 1000 of the wallet.
    const tooBig = rt.node.submit('manual', buy('5000'));
    expect(tooBig.status).toBe('REJECTED');
    expect(tooBig.reasonCode).toBe('ERR_INSUFFICIENT_MARGIN');
    // 3000 XRP (~3600 USDT) needs ~720 at 5x: accepted, filled at the next trade.
    const fits = rt.node.submit('manual', buy('3000'));
    expect(fits.status).not.toBe('REJECTED');
    await step(fake, rt, 1);
    expect(rt.node.portfolio.positionQty(PERP)).toBe(parseFixed('3000'));

    // The fake settles at the first ten-minute mark of its replay clock; the engine reads the
    // settled rate once market time passes the announced funding time.
    while (fake.funding.rates.length === 0) await step(fake, rt, 1);
    await until(() => fundingPoints(rt) > 0, 'the settled rate read');
    const cashBefore = rt.node.portfolio.cash('USDT');
    await step(fake, rt, 1);
    const first = settledAt(fake, 0);
    const held = parseFixed('3000');
    const heard = ClearingWatch.funding.find((e) => e.ts === first.time);
    expect(heard).toBeDefined();
    expect(heard?.rate).toBe(first.rate);
    expect(heard?.markPrice).toBe(first.mark);
    expect(heard?.positionQty).toBe(held);
    expect(heard?.amount).toBe(charge(held, first.mark, first.rate));
    expect(heard?.amount).toBeLessThan(0n);
    expect(rt.node.portfolio.cash('USDT') - cashBefore).toBe(heard?.amount);
    expect(rt.node.portfolio.ledger.fundingNet('USDT')).toBe(heard?.amount);

    // Stopped over the next funding time: charged at the next start, on the restored position, once.
    const cashAtStop = rt.node.portfolio.cash('USDT');
    await rt.stop();
    fake.step(44);
    expect(fake.funding.rates.length).toBe(2);
    const second = settledAt(fake, 1);
    rt = await start(fake, config);
    expect(rt.node.portfolio.positionQty(PERP)).toBe(held);
    expect(rt.node.portfolio.margin.settings(PERP)).toEqual({ leverage: 5, mode: 'CROSS' });
    expect(rt.node.portfolio.cash('USDT') - cashAtStop).toBe(charge(held, second.mark, second.rate));
    await rt.stop();
    // A third start charges nothing again.
    rt = await start(fake, config);
    expect(rt.node.portfolio.cash('USDT') - cashAtStop).toBe(charge(held, second.mark, second.rate));
    // Paper trading: public endpoints only (settled rates, premiumIndex), no key anywhere.
    expect(fake.privateRequestCount()).toBe(0);
    expect(fake.log.some((r) => r.path.startsWith('/fapi/v1/fundingRate'))).toBe(true);
  }, 60_000);

  it('liquidates a 10x isolated long on the simulated venue when the price falls through its liquidation price', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-shadow-liq-')), 'trading.db');
    // 1.2 for a few minutes, then a fall to 1.0 (-17 %: far beyond a 10x long's ~-9.5 %).
    const trades = fallingTape();
    const fake = await startFake(trades);
    closers.push(() => fake.close());
    fake.step(2);
    // Through live.perpetuals: shadow mirrors live when shadow.perpetuals is not set.
    const config = shadowConfig(
      dbPath,
      { live: { perpetuals: { [PERP]: { leverage: 10, marginMode: 'isolated' } } } },
      200,
    );
    const rt = await start(fake, config);
    expect(rt.node.portfolio.margin.settings(PERP)).toEqual({ leverage: 10, mode: 'ISOLATED' });
    await step(fake, rt, 1);
    // 1000 XRP at 1.2 = 1200 USDT: 120 of margin at 10x.
    rt.node.submit('manual', buy('1000'));
    await step(fake, rt, 1);
    expect(rt.node.portfolio.positionQty(PERP)).toBe(parseFixed('1000'));
    const lp = rt.node.portfolio.margin.liquidationPrice(PERP);
    expect(lp).toBeDefined();
    await h.stepToLiquidation(fake, rt, trades.length);
    const liq = ClearingWatch.liquidations[0];
    expect(liq?.positionQty).toBe(parseFixed('1000'));
    // A trade print is a one-price bar: the price that went through the liquidation price closes it.
    expect(liq?.price).toBeLessThanOrEqual(lp ?? 0n);
    expect(liq?.marginMode).toBe('ISOLATED');
    expect(rt.node.portfolio.positionQty(PERP)).toBe(0n);
    // Isolated: at most the position's margin (and what it paid to open) is lost.
    expect(rt.node.portfolio.cash('USDT')).toBeGreaterThan(parseFixed('70'));
  }, 60_000);
});
