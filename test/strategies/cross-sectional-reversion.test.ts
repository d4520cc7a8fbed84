import { describe, it } from 'vitest';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import { decisionFinder, expectBasketDecisions, lookbackReturns, universeRun } from './support/basket.js';
import { itPinsTheTradeLog } from './support/golden.js';
import { periodTable } from './support/periods.js';

const PARAMS = { lookback: 12, bottom: 3, rebalanceEvery: 12 };

describe.skipIf(!HAS_SHARED_DATA)('cross-sectional-reversion on the ten BTC pairs, 5m (golden)', () => {
  const { data, symbols, r } = universeRun('cross-sectional-reversion', PARAMS);

  itPinsTheTradeLog(r, {
    filled: 2510,
    sent: 2510,
    finalEquity: 1.1383367363104866,
    sha256: '32e0cef1f9c87badf45d37a604cd96179cbc9c9367371bf6990fbb031401e450',
  });

  it("buys only the test's own 3 worst 12-bar returns below the universe mean; sells out only the others", () => {
    const t = periodTable(data);
    const losersAt = (p: number): string[] => {
      const rets = lookbackReturns(t, symbols, PARAMS.lookback, p);
      const mean = rets.reduce((a, [, v]) => a + v, 0) / rets.length;
      return [...rets]
        .sort((a, b) => a[1] - b[1])
        .slice(0, PARAMS.bottom)
        .filter(([, v]) => v < mean)
        .map(([sym]) => sym);
    };
    expectBasketDecisions(r, t, decisionFinder(t, PARAMS), losersAt, { buys: 100, exits: 100 });
  });
});
