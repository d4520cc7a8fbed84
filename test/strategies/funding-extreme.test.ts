import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadFundingRates } from '../../src/data/loadFundingRates.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';
import { itPinsTheTradeLog, runGolden, series } from './support/golden.js';

const CANDLES = 'crypto/futures/XRP_USDT_USDT-5m-futures.csv';
const FUNDING = 'crypto/futures/XRP_USDT_USDT-8h-funding_rate.csv';
const PARAMS = { shortAbove: 0.00012, longBelow: -0.00005, holdBars: 48, size: 0.5 };

describe.skipIf(!HAS_SHARED_DATA)(
  'funding-extreme on the XRP/USDT perpetual, 5m + 8h funding (golden)',
  () => {
    const s = series(CANDLES);
    const funding = loadFundingRates(sharedFile(FUNDING), { symbol: s.symbol });
    const r = runGolden('funding-extreme', [s], PARAMS, {
      initialCash: 1000,
      futures: { leverage: 2, marginMode: 'ISOLATED', funding: [funding] },
    });

    itPinsTheTradeLog(r, {
      filled: 6,
      sent: 6,
      finalEquity: 1013.7926889368753,
      sha256: 'c9cef6f55af132b16d711446a7e8eb61d85560910fd838f2af7db6ca770c23b2',
    });

    it('opens a short on the bar after each settlement at or above shortAbove (read from the CSV here), and holds it holdBars bars', () => {
      const extremes = readFileSync(sharedFile(FUNDING), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',').map(Number) as [number, number])
        .filter(
          ([ts, rate]) =>
            rate >= PARAMS.shortAbove && ts >= (s.ts[0] as number) && ts < (s.ts[s.length - 1] as number),
        );
      expect(extremes.length).toBeGreaterThan(0);
      const entries = r.fills.filter(
        (f, i) => f.side === 'SELL' && (i === 0 || r.fills[i - 1]?.side === 'BUY'),
      );
      expect(entries).toHaveLength(extremes.length);
      entries.forEach((f, k) => {
        const [settled] = extremes[k] as [number, number];
        // The settlement is heard with the bar whose period ends at or after it; the order fills at the next open.
        expect(f.ts).toBeGreaterThanOrEqual(settled);
        expect(f.ts - settled).toBeLessThanOrEqual(2 * 300_000);
      });
      for (const f of r.fills.filter((x) => x.side === 'BUY')) {
        const entry = entries.filter((e) => e.ts < f.ts).at(-1);
        expect(entry).toBeDefined();
        expect((f.ts - (entry?.ts ?? 0)) / 300_000).toBeLessThanOrEqual(PARAMS.holdBars + 1);
      }
    });
  },
);
