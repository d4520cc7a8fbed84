/**
 * A position open across a restart is still a round trip: closed at a loss after the restart,
 * it counts in its strategy's loss streak (a streak of one cools the strategy down). Before,
 * the restarted engine knew no trip for it, and the losing close counted nothing.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ZERO, parseFixed } from '../../src/core/Fixed.js';
import { PERP } from '../live/futures/support/futuresHarness.js';
import {
  ShadowPerpHarness,
  buy,
  fallingTape,
  shadowConfig,
  startFake,
} from './support/shadowPerpetualsHarness.js';

describe('loss streaks across a restart', () => {
  const h = new ShadowPerpHarness();
  afterEach(() => h.close());

  it('a position opened before a restart and closed at a loss after it cools its strategy down', async () => {
    const trades = fallingTape();
    const fake = await startFake(trades);
    h.closers.push(() => fake.close());
    fake.step(2);
    // 2x isolated on a 2000 USDT wallet: the fall to 1.0 (−17 %) loses money, liquidates nothing.
    const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-streak-restart-')), 'trading.db');
    const config = shadowConfig(
      dbPath,
      { live: { perpetuals: { [PERP]: { leverage: 2, marginMode: 'isolated' } } } },
      2000,
      { consecutiveLossLimit: 1, cooldownMs: 3_600_000 },
    );
    let rt = await h.start(fake, config);
    await h.step(fake, rt, 1);
    rt.node.submit('manual', buy('1000'));
    await h.step(fake, rt, 1);
    expect(rt.node.portfolio.positionQty(PERP)).toBe(parseFixed('1000'));
    await rt.stop();

    rt = await h.start(fake, config);
    expect(rt.node.portfolio.positionQty(PERP)).toBe(parseFixed('1000'));
    // Down the tape to ~1.06, then close the long there: a loss of ~140 USDT.
    await h.step(fake, rt, 26);
    const close = rt.node.submit('manual', { ...buy('1000'), side: 'SELL', reduceOnly: true });
    expect(close.reasonCode).toBeUndefined();
    await h.step(fake, rt, 1);
    expect(rt.node.portfolio.positionQty(PERP)).toBe(ZERO);
    expect(rt.node.portfolio.ledger.position(PERP).realizedPnl).toBeLessThan(0n);

    const again = rt.node.submit('manual', buy('100'));
    expect(again.reasonCode).toBe('ERR_RISK_COOLDOWN');
  }, 60_000);
});
