/**
 * Shadow mode's perpetual settings on the paper margin account: `shadow.perpetuals`, else
 * `live.perpetuals`; a leverage above the instrument's maximum or a symbol not traded stops the
 * start with a coded error naming the symbol; a position restored from the database keeps the
 * margin mode it is booked under until it is flat, as in live mode.
 */
import { describe, expect, it } from 'vitest';
import type { ShadowMarginApplied } from '../../src/app/ShadowPerpetuals.js';
import { configureShadowMargin, shadowPerpetualSettings } from '../../src/app/ShadowPerpetuals.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import { ZERO, parseFixed, toFixed } from '../../src/core/Fixed.js';
import { QtsError } from '../../src/core/QtsError.js';
import { TestClock } from '../../src/kernel/Clock.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { TradingNode } from '../../src/node/TradingNode.js';
import { parseSizing } from '../../src/portfolio/Sizer.js';

const PERP = 'XRP/USDT:USDT';
const OTHER = 'BTC/USDT:USDT';

function node() {
  const instruments = [
    makeInstrument({ symbol: PERP, maxLeverage: 20 }),
    makeInstrument({ symbol: OTHER, maxLeverage: 125 }),
  ];
  return {
    instruments,
    node: new TradingNode({
      clock: new TestClock(0),
      instruments,
      currency: 'USDT',
      initialCash: { USDT: 1000 },
      sizing: parseSizing('fixed:1', toFixed('0.1')),
    }),
  };
}

function codeOf(f: () => void): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof QtsError ? `${e.code} ${e.message}` : String(e);
  }
  return undefined;
}

describe('shadow perpetual settings', () => {
  it('takes shadow.perpetuals, else live.perpetuals; existing live configs stay valid', () => {
    const live = { [PERP]: { leverage: 5, marginMode: 'cross' } };
    expect(shadowPerpetualSettings(AppConfigSchema.parse({ live: { perpetuals: live } }))).toEqual(live);
    const own = AppConfigSchema.parse({
      live: { perpetuals: live },
      shadow: { perpetuals: { [PERP]: { leverage: 3 } } },
    });
    expect(shadowPerpetualSettings(own)).toEqual({ [PERP]: { leverage: 3, marginMode: 'isolated' } });
    expect(shadowPerpetualSettings(AppConfigSchema.parse({}))).toEqual({});
  });

  it('sets every traded perpetual (1x isolated when not listed) and reports each', () => {
    const { node: n, instruments } = node();
    const applied: ShadowMarginApplied[] = [];
    configureShadowMargin(n, instruments, { [PERP]: { leverage: 20, marginMode: 'cross' } }, (a) =>
      applied.push(a),
    );
    expect(n.portfolio.margin.settings(PERP)).toEqual({ leverage: 20, mode: 'CROSS' });
    expect(n.portfolio.margin.settings(OTHER)).toEqual({ leverage: 1, mode: 'ISOLATED' });
    expect(applied.map((a) => a.symbol)).toEqual([PERP, OTHER]);
  });

  it('refuses a leverage above the instrument maximum, and a symbol not traded, naming the symbol', () => {
    const { node: n, instruments } = node();
    expect(
      codeOf(() =>
        configureShadowMargin(n, instruments, { [PERP]: { leverage: 21, marginMode: 'isolated' } }, () => {}),
      ),
    ).toBe(`ERR_PERPETUAL_SETTINGS_REFUSED ${PERP}: leverage 21 is above the exchange's maximum 20`);
    expect(
      codeOf(() =>
        configureShadowMargin(
          n,
          instruments,
          { 'ETH/USDT:USDT': { leverage: 2, marginMode: 'isolated' } },
          () => {},
        ),
      ),
    ).toMatch(/^ERR_CONFIG .*ETH\/USDT:USDT/);
  });

  it('keeps a restored position under the mode it is booked under; leverage follows the configuration', () => {
    const { node: n, instruments } = node();
    n.portfolio.restorePositions([
      {
        symbol: PERP,
        qty: parseFixed('100'),
        costBasis: parseFixed('120'),
        realizedPnl: ZERO,
        margin: { leverage: 2, mode: 'ISOLATED' },
      },
    ]);
    configureShadowMargin(n, instruments, { [PERP]: { leverage: 5, marginMode: 'cross' } }, () => {});
    expect(n.portfolio.margin.settings(PERP)).toEqual({ leverage: 5, mode: 'ISOLATED' });
  });
});
