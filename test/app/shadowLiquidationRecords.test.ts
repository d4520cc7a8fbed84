/**
 * A shadow liquidation is kept and guarded as a backtest's and as a losing fill: a fill line of
 * order `LIQUIDATION` in the fills store (the fill list, the realized PnL and the `fills` push
 * read it), never booked twice across a restart and never an order of the OMS; and the
 * breakers count it at once — a loss streak of one cools the strategy down, a drawdown limit
 * halts — before the next bar closes. Against the fake Binance futures, public endpoints only.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TradingEngineApi } from '../../src/api/engine/TradingEngineApi.js';
import { PushChannel } from '../../src/api/push/PushChannel.js';
import { orderChannels } from '../../src/api/push/sources/orderChannels.js';
import type { TradingRuntime } from '../../src/app/TradingRuntime.js';
import type { AppConfig } from '../../src/config/configSchema.js';
import { ZERO, formatFixed, parseFixed, sub } from '../../src/core/Fixed.js';
import { FillStore } from '../../src/storage/sqlite/FillStore.js';
import { PERP } from '../live/futures/support/futuresHarness.js';
import {
  ClearingWatch,
  ShadowPerpHarness,
  buy,
  fallingTape,
  shadowConfig,
  startFake,
} from './support/shadowPerpetualsHarness.js';

/** 10x isolated on a 200 USDT wallet: 1000 XRP at 1.2 put up 120 of margin. */
function liquidationConfig(risk: Record<string, unknown>): AppConfig {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-shadow-liq-rec-')), 'trading.db');
  return shadowConfig(
    dbPath,
    { live: { perpetuals: { [PERP]: { leverage: 10, marginMode: 'isolated' } } } },
    200,
    risk,
  );
}

/** The `fills` push channel of an engine, as the WebSocket push server builds it, with what it published. */
function fillsPush(rt: TradingRuntime): { published: unknown[]; off: () => void } {
  const published: unknown[] = [];
  const off = orderChannels(
    {
      registry: {
        channel: (spec) => {
          const ch = new PushChannel(spec);
          if (spec.name === 'fills')
            ch.add({ deliver: (b) => published.push((JSON.parse(b.toString()) as { data: unknown }).data) });
          return ch;
        },
      },
      log: rt.log,
      now: () => rt.clock.now(),
      throttleMs: 0,
    },
    rt.node.bus,
    rt.node.oms,
    () => [],
  );
  return { published, off };
}

describe('a shadow liquidation is a fill line and a losing trip', () => {
  const h = new ShadowPerpHarness();
  afterEach(() => h.close());

  it('is a LIQUIDATION fill in the store, the fill list, the PnL and the push, once across a restart; a loss streak of one cools its strategy down', async () => {
    const trades = fallingTape();
    const fake = await startFake(trades);
    h.closers.push(() => fake.close());
    fake.step(2);
    const config = liquidationConfig({ consecutiveLossLimit: 1, cooldownMs: 3_600_000 });
    let rt = await h.start(fake, config);
    const push = fillsPush(rt);
    await h.step(fake, rt, 1);
    rt.node.submit('manual', buy('1000'));
    await h.step(fake, rt, 1);
    expect(rt.node.portfolio.positionQty(PERP)).toBe(parseFixed('1000'));
    const ordersBefore = rt.node.oms.openOrders().length;
    await h.stepToLiquidation(fake, rt, trades.length);
    const liq = ClearingWatch.liquidations[0];
    if (liq === undefined) throw new Error('no liquidation');

    // The fill line, exact: the whole position sold at the liquidation price with the clearance fee.
    const line = {
      orderId: 'LIQUIDATION',
      tradeId: `LIQ-${PERP}-${liq.ts}`,
      strategyId: 'manual',
      symbol: PERP,
      side: 'SELL',
      qty: '1000',
      px: formatFixed(liq.price),
      fee: formatFixed(liq.fee),
      feeCurrency: 'USDT',
      liquidity: 'TAKER',
      ts: liq.ts,
    };
    const api = new TradingEngineApi(rt);
    expect(api.fills({ orderId: 'LIQUIDATION', limit: 10, offset: 0 })).toEqual([line]);
    expect(api.fills({ symbol: PERP, limit: 10, offset: 0 })[0]).toEqual(line);
    expect(push.published).toContainEqual(line);
    // Its realized PnL is the account's: the fills' PnL fold ends where the ledger ended.
    const pnl = api.pnl({});
    expect(liq.realizedPnl).toBeLessThan(0n);
    expect(pnl.realized).toBe(formatFixed(rt.node.portfolio.ledger.position(PERP).realizedPnl));
    expect(pnl.realized).toBe(formatFixed(liq.realizedPnl));
    const manual = pnl.byStrategy.find((b) => b.strategyId === 'manual');
    expect(manual?.fills).toBe(2);
    expect(manual?.realized).toBe(formatFixed(liq.realizedPnl));
    // No order of the OMS: nothing to track, reconcile or cancel.
    expect(rt.node.oms.order('LIQUIDATION')).toBeUndefined();
    expect(rt.node.oms.openOrders().length).toBeLessThanOrEqual(ordersBefore);

    // The breaker counted the liquidation as the strategy's losing trip: it may not open again.
    const again = rt.node.submit('manual', buy('100'));
    expect(again.reasonCode).toBe('ERR_RISK_COOLDOWN');

    // A restart books nothing again: the ledger snapshot holds the line it was saved with.
    const cash = rt.node.portfolio.cash('USDT');
    push.off();
    await rt.stop();
    rt = await h.start(fake, config);
    expect(rt.node.portfolio.positionQty(PERP)).toBe(ZERO);
    expect(rt.node.portfolio.cash('USDT')).toBe(cash);
    expect(new FillStore(rt.db).list({ orderId: 'LIQUIDATION' })).toHaveLength(1);
    expect(sub(cash, parseFixed('200'))).toBeLessThan(0n);
  }, 60_000);

  it('halts on a drawdown limit at the liquidation, before the next bar closes', async () => {
    const trades = fallingTape();
    const fake = await startFake(trades);
    h.closers.push(() => fake.close());
    fake.step(2);
    // The last bar closed before the liquidation valued the long at ~50 % below the peak; the
    // liquidation takes the whole margin (~60 %).
    const rt = await h.start(fake, liquidationConfig({ maxDrawdownPct: 0.55 }));
    await h.step(fake, rt, 1);
    rt.node.submit('manual', buy('1000'));
    await h.step(fake, rt, 1);
    await h.stepToLiquidation(fake, rt, trades.length);
    expect(ClearingWatch.liquidations).toHaveLength(1);
    expect(rt.node.risk.state).toBe('HALTED');
    const again = rt.node.submit('manual', buy('100'));
    expect(again.reasonCode).toBe('ERR_RISK_HALTED');
  }, 60_000);
});
