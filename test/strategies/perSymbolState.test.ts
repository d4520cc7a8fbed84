import { describe, expect, it } from 'vitest';
import type { Bar } from '../../src/model/Bar.js';
import { barAt } from '../../src/model/BarSeries.js';
import { findStrategy } from '../../src/strategies/registry.js';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import { series } from './support/golden.js';
import { startStrategy } from './support/startStrategy.js';

/**
 * A multi-symbol run applies each signal strategy's rules to every symbol with that symbol's own
 * history: ETH/BTC and LTC/BTC fed together, bar by bar, give each symbol the orders it gets
 * alone. A shared indicator, cross or counter would mix the two series and move the orders.
 */
const N = 3000;

function bars(file: string, symbol: string, tsOf: Float64Array): Bar[] {
  const s = series(file);
  // The file's bars on the shared time axis, under the symbol asked for.
  return Array.from({ length: N }, (_, i) => ({
    ...barAt(s, i),
    symbol,
    timeframe: '5m',
    ts: tsOf[i] as number,
  }));
}

const CASES: readonly (readonly [string, Record<string, unknown>])[] = [
  ['sma-cross', { fast: 5, slow: 12 }],
  ['ema-cross', { fast: 5, slow: 12 }],
  ['rsi', { period: 7 }],
  ['macd', { fast: 5, slow: 12, signal: 4 }],
  ['bollinger', { period: 10, k: 1.5 }],
  ['dca', { everyBars: 7, amount: 0.05 }],
];

describe.skipIf(!HAS_SHARED_DATA)('signal strategies keep their state per symbol', () => {
  const ts = series('crypto/spot-5m/ETH_BTC-5m.csv').ts;
  const eth = bars('crypto/spot-5m/ETH_BTC-5m.csv', 'ETH/BTC', ts);
  const ltc = bars('crypto/spot-5m/LTC_BTC-5m.csv', 'LTC/BTC', ts);
  const symbols = ['ETH/BTC', 'LTC/BTC'];

  /** "symbol side @i" of each order, i the index of the bar it was decided on in its own series. */
  function alone(id: string, params: Record<string, unknown>, xs: readonly Bar[]): string[] {
    const { ctx } = startStrategy(findStrategy(id), params, { symbols, cash: 1e6 });
    for (const b of xs) ctx.processBar(b);
    return ctx.placed.map((p) => `${p.order.symbol} ${p.side} @${p.bar}`);
  }

  for (const [id, params] of CASES) {
    it(`${id}: ETH/BTC and LTC/BTC together trade as each does alone`, () => {
      const { ctx } = startStrategy(findStrategy(id), params, { symbols, cash: 1e6 });
      for (let i = 0; i < N; i++) {
        ctx.processBar(ltc[i] as Bar);
        ctx.processBar(eth[i] as Bar);
      }
      const together = ctx.placed.map((p) => `${p.order.symbol} ${p.side} @${Math.floor(p.bar / 2)}`);
      const expected = [...alone(id, params, eth), ...alone(id, params, ltc)];
      expect(expected.length).toBeGreaterThan(4);
      const bySymbol = (s: string) => (o: string) => o.startsWith(s);
      for (const s of symbols) expect(together.filter(bySymbol(s))).toEqual(expected.filter(bySymbol(s)));
    });
  }
});
