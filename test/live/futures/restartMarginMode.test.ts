/**
 * A perpetual position opened in cross margin comes back as cross after a restart. The mode
 * of an open position cannot change (on Binance as in our margin account), and the restart
 * used to put it back under the default isolated: our books then carved a margin out of the
 * wallet for it that the exchange never did.
 */
import { describe, expect, it } from 'vitest';
import { parseFixed } from '../../../src/core/Fixed.js';
import { MarginMode } from '../../../src/model/MarginMode.js';
import type { AppConfig } from '../../../src/config/configSchema.js';
import { PERP, PERP_ID, futuresConfig, perpTape, startLive, until } from './support/futuresHarness.js';
import { closeAfterEach, openFake, tempDbPath, tradeTo } from './support/futuresFixtures.js';

describe('restart of a live engine holding a cross perpetual position', () => {
  const closers = closeAfterEach();

  it('restores the position under the margin mode and leverage it was booked under', async () => {
    const fake = await openFake(closers, perpTape(20));
    const base = futuresConfig(tempDbPath('qts-perp-restart-'));
    const config: AppConfig = {
      ...base,
      live: { ...base.live, perpetuals: { [PERP]: { leverage: 3, marginMode: 'cross' } } },
    };

    const first = await startLive(fake, config);
    let running = true;
    closers.push(() => (running ? first.stop() : Promise.resolve()));
    // A live trade first: risk refuses an order on a symbol without live data.
    await fake.waitForSubscription('xrpusdt@trade', 10_000);
    fake.step(2);
    await until(() => first.node.lastPrice(PERP) !== undefined, 'a live price');
    await tradeTo(first, 'SELL', '40', '-40');
    expect(first.node.portfolio.margin.settings(PERP)).toEqual({ leverage: 3, mode: MarginMode.CROSS });
    await first.stop();
    running = false;

    const second = await startLive(fake, config);
    closers.push(() => second.stop());
    const margin = second.node.portfolio.margin;
    expect(second.node.portfolio.positionQty(PERP)).toBe(parseFixed('-40'));
    expect(fake.account.positions()[PERP_ID]).toMatchObject({ marginType: 'cross', leverage: 3 });
    expect(margin.settings(PERP)).toEqual({ leverage: 3, mode: MarginMode.CROSS });
    // Cross: no margin carved out of the wallet for it, as on the exchange.
    expect(margin.isolatedMargin(PERP)).toBe(0n);
    expect(margin.crossWallet('USDT')).toBe(second.node.portfolio.cash('USDT'));
  }, 60_000);
});
