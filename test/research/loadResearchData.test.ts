import { afterAll, describe, expect, it } from 'vitest';
import { loadResearchData } from '../../src/research/loadResearchData.js';
import { tempFiles } from '../data/tempFiles.js';

const HOUR = 3_600_000;
const DAY0 = Date.UTC(2024, 0, 1);

describe('loadResearchData: --from/--to with --timeframe', () => {
  const tmp = tempFiles('research-data');
  afterAll(() => tmp.remove());
  // Two days of hourly bars; the price of hour k is 100 + k, and hour 36 (day 2, 12:00)
  // spikes to 1000: the data after a --to of day 2 at 12:00 starts with it.
  const rows = Array.from({ length: 48 }, (_, k) => {
    const c = k === 36 ? 1000 : 100 + k;
    return `${DAY0 + k * HOUR},${c},${c},${c},${c},1`;
  });
  const file = tmp.write('BTC_USDT-1h.csv', `timestamp,open,high,low,close,volume\n${rows.join('\n')}\n`);

  it('builds the higher bars from the base bars inside the range only', () => {
    const { series } = loadResearchData({
      files: [file],
      timeframe: '1d',
      from: '2024-01-01T06:00',
      to: '2024-01-02T12:00',
    });
    const s = series[0];
    // The day that straddles --from starts before it: left out. The day that straddles --to
    // holds its hours before --to only (00:00..11:00), not the spike at 12:00 nor the close of 23:00.
    expect(Array.from(s?.ts ?? [])).toEqual([DAY0 + 24 * HOUR]);
    expect([s?.open[0], s?.high[0], s?.low[0], s?.close[0], s?.volume[0]]).toEqual([124, 135, 124, 135, 12]);
  });

  it('keeps whole higher bars when the range is on their boundaries', () => {
    const { series } = loadResearchData({
      files: [file],
      timeframe: '1d',
      from: '2024-01-01',
      to: '2024-01-03',
    });
    const s = series[0];
    expect(Array.from(s?.ts ?? [])).toEqual([DAY0, DAY0 + 24 * HOUR]);
    expect([s?.high[1], s?.close[1], s?.volume[1]]).toEqual([1000, 147, 24]);
  });
});

describe('loadResearchData: --timeframe on data that starts mid-period', () => {
  const tmp = tempFiles('research-data-start');
  afterAll(() => tmp.remove());
  const FIVE = 300_000;
  const T0 = Date.UTC(2024, 0, 1, 10, 35);
  // 5m bars from 10:35 to 12:55; the open of the bar at minute k after 10:00 is k.
  const rows = Array.from({ length: 29 }, (_, i) => {
    const k = 35 + 5 * i;
    return `${T0 + i * FIVE},${k},${k + 1},${k - 1},${k + 0.5},1`;
  });
  const file = tmp.write('BTC_USDT-5m.csv', `timestamp,open,high,low,close,volume\n${rows.join('\n')}\n`);
  const H10 = Date.UTC(2024, 0, 1, 10);

  it('leaves out the first higher bar when the data starts inside it, as it does the one straddling --from', () => {
    for (const from of [undefined, '2024-01-01', '2024-01-01T10:30']) {
      const { series } = loadResearchData({ files: [file], timeframe: '1h', ...(from ? { from } : {}) });
      const s = series[0];
      // 10:00 held 5 of its 12 bars and opened at 10:35: not an hourly bar. 11:00 and 12:00 are whole.
      expect(Array.from(s?.ts ?? [])).toEqual([H10 + HOUR, H10 + 2 * HOUR]);
      expect([s?.open[0], s?.volume[0], s?.open[1], s?.volume[1]]).toEqual([60, 12, 120, 12]);
    }
  });

  it('keeps the first higher bar when the data starts on its boundary', () => {
    const { series } = loadResearchData({ files: [file], timeframe: '1h', from: '2024-01-01T11:00' });
    expect(Array.from(series[0]?.ts ?? [])).toEqual([H10 + HOUR, H10 + 2 * HOUR]);
    const half = loadResearchData({ files: [file], timeframe: '30m' }).series[0];
    // 10:35 is inside the 10:30 half hour: it starts at 11:00 too.
    expect(half?.ts[0]).toBe(H10 + HOUR);
    expect(half?.open[0]).toBe(60);
  });
});
