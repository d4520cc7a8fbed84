import { describe, it } from 'vitest';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import { decisionFinder, expectBasketDecisions, lookbackReturns, universeRun } from './support/basket.js';
import { itPinsTheTradeLog } from './support/golden.js';
import { periodTable } from './support/periods.js';

const PARAMS = { lookback: 288, top: 3, rebalanceEvery: 48, absolute: true };

describe.skipIf(!HAS_SHARED_DATA)('momentum-rank on the ten BTC pairs, 5m (golden)', () => {
  const { data, symbols, r } = universeRun('momentum-rank', PARAMS);

  itPinsTheTradeLog(r, {
    filled: 201,
    sent: 201,
    finalEquity: 0.9429673683409014,
    sha256: 'ef9aa817ef076896a676caedc5f3894cafaf0c23f27564e94454d627b456edbc',
  });

  it("buys only the test's own top-3 by 288-bar return at the last rebalance, sells out only what left it", () => {
    const t = periodTable(data);
    const topAt = (p: number): string[] => {
      return [...lookbackReturns(t, symbols, PARAMS.lookback, p)]
        .sort((a, b) => b[1] - a[1])
        .slice(0, PARAMS.top)
        .filter(([, v]) => v > 0)
        .map(([sym]) => sym);
    };
    expectBasketDecisions(r, t, decisionFinder(t, PARAMS), topAt, { buys: 20, exits: 10 });
  });
});
