import { describe, expect, it } from 'vitest';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import { ETH_BTC_5M, itPinsTheTradeLog, runGolden, series } from './support/golden.js';
import { SECOND_VENUE, secondVenue } from './support/secondVenue.js';

const PARAMS = { window: 288, entryZ: 2.5, exitZ: 0.5, minEdgeBps: 25 };
const SECOND = SECOND_VENUE;

describe.skipIf(!HAS_SHARED_DATA)(
  'cross-exchange-spread on ETH/BTC and a lagged, noised second venue (golden)',
  () => {
    const a = series(ETH_BTC_5M);
    const b = secondVenue(a);
    const r = runGolden('cross-exchange-spread', [a, b], PARAMS);

    itPinsTheTradeLog(r, {
      filled: 157,
      sent: 157,
      finalEquity: 1.087874417976472,
      sha256: 'a92ddcb7059070beca492b4e518d62af0c211f716505c57e7dfe345f0d16cc1f',
    });

    it('each buy was of the venue at a discount beyond entryZ stdevs and minEdgeBps of the spread log(B/A)', () => {
      // Both series share the open times from a's second bar on, so period p of b is bar p + 1 of a.
      const spread = (p: number): number => Math.log((b.close[p] as number) / (a.close[p + 1] as number));
      const stats = (p: number): { z: number; edge: number } => {
        const w: number[] = [];
        for (let i = p - PARAMS.window + 1; i <= p; i++) w.push(spread(i));
        const m = w.reduce((x, y) => x + y, 0) / w.length;
        const sd = Math.sqrt(w.reduce((x, y) => x + (y - m) ** 2, 0) / w.length);
        return { z: (spread(p) - m) / sd, edge: Math.abs(spread(p) - m) * 10_000 };
      };
      const buys = r.fills.filter((f) => f.side === 'BUY');
      expect(buys.map((f) => f.symbol)).toContain(SECOND);
      expect(buys.map((f) => f.symbol)).toContain('ETH/BTC');
      for (const f of buys) {
        const fillPeriod = b.ts.indexOf(f.ts);
        const ok = [fillPeriod - 1, fillPeriod - 2].some((d) => {
          const { z, edge } = stats(d);
          return (
            edge >= PARAMS.minEdgeBps && (f.symbol === SECOND ? z <= -PARAMS.entryZ : z >= PARAMS.entryZ)
          );
        });
        expect(ok, `buy of ${f.symbol} at ${f.ts}`).toBe(true);
      }
    });
  },
);
