/**
 * The first higher bar of data that does not trade around the clock. Weekly bars of daily
 * stock data starting on the Tuesday after a Monday holiday (ORCL's file begins on
 * 1995-01-03; the exchange was closed on Monday 1995-01-02) lost that week: the first bar was
 * taken as partial because it was not Monday's. The week is whole — Monday was closed time, as
 * the weekends in the data show — and both the engine's higher timeframes (BarAggregator via
 * DataEngine) and `--timeframe` (loadResearchData) now keep it, by one rule (FirstBucket).
 * 24/7 data starting mid-week, and stock data starting a trading day or more late, still lose
 * their partial first week.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { BarAggregator } from '../../src/data/BarAggregator.js';
import { DataEngine } from '../../src/data/DataEngine.js';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import { sliceSeries } from '../../src/data/sliceSeries.js';
import { MessageBus } from '../../src/kernel/MessageBus.js';
import { barsTopic } from '../../src/kernel/topics.js';
import type { Bar } from '../../src/model/Bar.js';
import type { BarSeries } from '../../src/model/BarSeries.js';
import { seriesBarAt } from '../../src/model/BarSeries.js';
import { loadResearchData } from '../../src/research/loadResearchData.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';
import { tempFiles } from './tempFiles.js';

const MIN = 60_000;
const DAY = 86_400_000;
const day = (iso: string): number => Date.parse(`${iso}T00:00:00Z`);

/** The higher bars the engine publishes to a strategy subscribed to `timeframe` from the start. */
function engineBars(bars: Iterable<Bar>, symbol: string, base: string, timeframe: string): Bar[] {
  const bus = new MessageBus();
  const data = new DataEngine(bus);
  const got: Bar[] = [];
  bus.subscribe(barsTopic(symbol, timeframe), (b) => got.push(b));
  data.requireBars(symbol, timeframe);
  data.registerBase(symbol, base);
  for (const b of bars) data.onBar(b);
  return got;
}

function* barsOf(s: BarSeries): Generator<Bar> {
  for (let i = 0; i < s.length; i++) yield seriesBarAt(s, i);
}

/** One bar per listed time: the k-th opens at 100 + k and closes at 100.25 + k; volume 1. */
function barsAt(symbol: string, timeframe: string, times: readonly number[]): Bar[] {
  return times.map((ts, k) => ({
    symbol,
    timeframe,
    ts,
    open: 100 + k,
    high: 100.5 + k,
    low: 99.5 + k,
    close: 100.25 + k,
    volume: 1,
    closed: true,
  }));
}

/** The weekday (Mon–Fri) days of [from, to), less the holidays. */
function tradingDays(from: string, to: string, holidays: readonly string[] = []): number[] {
  const out: number[] = [];
  for (let t = day(from); t < day(to); t += DAY) {
    const wd = new Date(t).getUTCDay();
    if (wd !== 0 && wd !== 6 && !holidays.some((h) => day(h) === t)) out.push(t);
  }
  return out;
}

/** Every day of [from, to): data that trades around the clock. */
function everyDay(from: string, to: string): number[] {
  const out: number[] = [];
  for (let t = day(from); t < day(to); t += DAY) out.push(t);
  return out;
}

const weekStarts = (bars: readonly Bar[]): string[] =>
  bars.map((b) => new Date(b.ts).toISOString().slice(0, 10));

describe('the first weekly bar of daily data, streamed (BarAggregator with dropPartialFirst)', () => {
  it('keeps the week of stock data that starts on the Tuesday after a Monday holiday', () => {
    // 2024-01-15 was Martin Luther King Jr. Day: the data starts on Tuesday the 16th.
    const bars = barsAt('S/USD', '1d', tradingDays('2024-01-16', '2024-02-03'));
    const agg = new BarAggregator('S/USD', '1d', '1w', { dropPartialFirst: true });
    const out: Bar[] = [];
    for (const b of bars) {
      const closed = agg.update(b);
      if (closed) out.push(closed);
      // Whether the week is whole is known once it has ended: nothing is shown before.
      if (b.ts < day('2024-01-22')) expect(agg.current()).toBeUndefined();
    }
    expect(weekStarts(out)).toEqual(['2024-01-15', '2024-01-22']);
    // Tuesday to Friday, returned with the next Monday's bar.
    expect(out[0]).toMatchObject({ open: 100, close: 103.25, volume: 4, closed: true });
    expect(agg.current()).toMatchObject({ ts: day('2024-01-29'), open: 109 });
  });

  it('leaves out the week of stock data that starts on a Wednesday', () => {
    const bars = barsAt('S/USD', '1d', tradingDays('2024-01-17', '2024-02-03'));
    expect(weekStarts(engineBars(bars, 'S/USD', '1d', '1w'))).toEqual(['2024-01-22']);
  });

  it('leaves out the week of 24/7 data that starts on a Tuesday, keeps one that starts on Monday', () => {
    const fromTuesday = barsAt('X/Y', '1d', everyDay('2024-01-16', '2024-02-05'));
    expect(weekStarts(engineBars(fromTuesday, 'X/Y', '1d', '1w'))).toEqual(['2024-01-22', '2024-01-29']);
    const fromMonday = barsAt('X/Y', '1d', everyDay('2024-01-15', '2024-02-05'));
    expect(weekStarts(engineBars(fromMonday, 'X/Y', '1d', '1w'))).toEqual([
      '2024-01-15',
      '2024-01-22',
      '2024-01-29',
    ]);
  });

  it('judges a subscription that begins mid-week by the bars the engine already delivered', () => {
    const subscribeOn = (times: readonly number[], tuesday: number): string[] => {
      const bus = new MessageBus();
      const data = new DataEngine(bus);
      data.registerBase('S/USD', '1d');
      const got: Bar[] = [];
      for (const b of barsAt('S/USD', '1d', times)) {
        if (b.ts === tuesday) {
          data.requireBars('S/USD', '1w');
          bus.subscribe(barsTopic('S/USD', '1w'), (w) => got.push(w));
        }
        data.onBar(b);
      }
      return weekStarts(got);
    };
    // Monday traded and the engine delivered it before the subscription: that week is partial.
    expect(subscribeOn(tradingDays('2024-01-08', '2024-01-30'), day('2024-01-16'))).toEqual(['2024-01-22']);
    // Monday was a holiday (the last bar before was Friday's): the week is whole.
    const holiday = tradingDays('2024-01-08', '2024-01-30', ['2024-01-15']);
    expect(subscribeOn(holiday, day('2024-01-16'))).toEqual(['2024-01-15', '2024-01-22']);
  });
});

describe('the first higher bar of intraday session data (5m, 14:30–21:00 UTC on weekdays)', () => {
  const session = (from: string, to: string, holidays: readonly string[] = [], firstMinute = 0): number[] =>
    tradingDays(from, to, holidays).flatMap((d, k) =>
      Array.from({ length: 78 }, (_, i) => d + 14.5 * 60 * MIN + 5 * i * MIN).filter(
        (t) => k > 0 || t >= d + 14.5 * 60 * MIN + firstMinute * MIN,
      ),
    );

  it('keeps the first day when the data starts at the session open, not when it starts after it', () => {
    const atOpen = barsAt('S/USD', '5m', session('2024-01-16', '2024-01-19'));
    expect(weekStarts(engineBars(atOpen, 'S/USD', '5m', '1d'))).toEqual(['2024-01-16', '2024-01-17']);
    const late = barsAt('S/USD', '5m', session('2024-01-16', '2024-01-19', [], 30));
    expect(weekStarts(engineBars(late, 'S/USD', '5m', '1d'))).toEqual(['2024-01-17']);
  });

  it('keeps the week that starts at the session open on the Tuesday after a Monday holiday', () => {
    const bars = barsAt('S/USD', '5m', session('2024-01-16', '2024-01-24'));
    expect(weekStarts(engineBars(bars, 'S/USD', '5m', '1w'))).toEqual(['2024-01-15']);
  });
});

describe('loadResearchData --timeframe 1w on data written like a download', () => {
  const tmp = tempFiles('first-bucket');
  afterAll(() => tmp.remove());
  const csv = (times: readonly number[]): string =>
    `timestamp,open,high,low,close,volume\n${times.map((t, k) => `${t},${100 + k},${100.5 + k},${99.5 + k},${100.25 + k},1`).join('\n')}\n`;

  it('keeps the first week after a Monday holiday and agrees with the engine', () => {
    const times = tradingDays('2024-01-16', '2024-02-10');
    const file = tmp.write('S_USD-1d.csv', csv(times));
    const s = loadResearchData({ files: [file], timeframe: '1w' }).series[0]!;
    // The engine's last week stays forming: no bar after it ends it.
    expect(Array.from(s.ts.subarray(0, s.length - 1))).toEqual(
      engineBars(barsAt('S_USD', '1d', times), 'S_USD', '1d', '1w').map((b) => b.ts),
    );
    expect(s.ts[0]).toBe(day('2024-01-15'));
    expect([s.open[0], s.close[0], s.volume[0]]).toEqual([100, 103.25, 4]);
  });

  it('leaves out the first week of 24/7 data that starts on a Tuesday', () => {
    const file = tmp.write('X_Y-1d.csv', csv(everyDay('2024-01-16', '2024-02-05')));
    const s = loadResearchData({ files: [file], timeframe: '1w' }).series[0]!;
    expect(s.ts[0]).toBe(day('2024-01-22'));
  });
});

describe.skipIf(!HAS_SHARED_DATA)('golden: the first weeks of the shared data', () => {
  const stock = (name: string): string => sharedFile(`stocks-daily/${name}.txt`);

  it('ORCL from Tuesday 1995-01-03 (Monday closed): the week of 1995-01-02 is the first, in both paths', () => {
    const { series } = loadResearchData({ files: [stock('orcl-1995-2014')], timeframe: '1w' });
    const w = series[0]!;
    expect(new Date(w.ts[0]!).toISOString()).toBe('1995-01-02T00:00:00.000Z');
    // Tuesday's open, the highs and lows of Tuesday–Friday, Friday's close, four days' volume.
    expect([w.open[0], w.high[0], w.low[0], w.close[0], w.volume[0]]).toEqual([
      2.179012, 2.191358, 2.061728, 2.117284, 161_980_000,
    ]);
    // The engine builds the same weeks from the daily bars (the last one stays forming).
    const daily = loadBarSeries(stock('orcl-1995-2014')).series;
    const streamed = engineBars(barsOf(daily), daily.symbol, daily.timeframe, '1w');
    expect(streamed.map((b) => b.ts)).toEqual(Array.from(w.ts.subarray(0, w.length - 1)));
    expect(streamed[0]).toMatchObject({ open: 2.179012, close: 2.117284, volume: 161_980_000 });
  });

  it('NVDA and YHOO start on a Friday: their first week is partial, in both paths', () => {
    for (const [name, second] of [
      ['nvda-1999-2014', '1999-01-25'],
      ['yhoo-1996-2015', '1996-04-15'],
    ] as const) {
      const w = loadResearchData({ files: [stock(name)], timeframe: '1w' }).series[0]!;
      expect(new Date(w.ts[0]!).toISOString().slice(0, 10)).toBe(second);
      const daily = loadBarSeries(stock(name)).series;
      expect(weekStarts(engineBars(barsOf(daily), daily.symbol, '1d', '1w'))[0]).toBe(second);
    }
  });

  it('ORCL cut by --from: a Wednesday leaves out the week it straddles, the Tuesday after a holiday does not', () => {
    const from = (d: string): BarSeries =>
      loadResearchData({ files: [stock('orcl-1995-2014')], timeframe: '1w', from: d }).series[0]!;
    // Tuesday 1995-01-03 is in the file, before --from: the week of 1995-01-02 is partial.
    expect(new Date(from('1995-01-04').ts[0]!).toISOString().slice(0, 10)).toBe('1995-01-09');
    // Presidents' Day 1995-02-20: the file has Friday the 17th, then Tuesday the 21st.
    const w = from('1995-02-21');
    expect(new Date(w.ts[0]!).toISOString().slice(0, 10)).toBe('1995-02-20');
    expect(w.open[0]).toBe(2.271605);
  });

  it('ADA/BTC 5m (24/7): from a Wednesday, and from a Tuesday at midnight, the first week is partial', () => {
    const ada = loadBarSeries(sharedFile('crypto/spot-5m/ADA_BTC-5m.csv')).series;
    // The file starts on Wednesday 2018-01-10 04:55.
    expect(weekStarts(engineBars(barsOf(ada), ada.symbol, '5m', '1w'))[0]).toBe('2018-01-15');
    expect(
      loadResearchData({ files: [sharedFile('crypto/spot-5m/ADA_BTC-5m.csv')], timeframe: '1w' }).series[0]!
        .ts[0],
    ).toBe(day('2018-01-15'));
    // The same bars from Tuesday 2018-01-16 00:00, as a download starting there would hold them.
    const tuesday = sliceSeries(ada, day('2018-01-16'));
    expect(weekStarts(engineBars(barsOf(tuesday), ada.symbol, '5m', '1w'))[0]).toBe('2018-01-22');
    // Its first day is whole: it starts at midnight.
    expect(weekStarts(engineBars(barsOf(tuesday), ada.symbol, '5m', '1d'))[0]).toBe('2018-01-16');
  });
});
