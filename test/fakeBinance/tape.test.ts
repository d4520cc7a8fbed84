import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allocBarSeries } from '../../src/model/BarSeries.js';
import { fmtDecimal, fmtUnits, plainDecimal, stepString } from '../support/fakeBinance/decimal.js';
import { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import { intervalEnd, intervalStart } from '../support/fakeBinance/klineIntervals.js';
import { loadTradesCsv } from '../support/fakeBinance/loadTradesCsv.js';
import { MarketReplay } from '../support/fakeBinance/MarketReplay.js';
import { synthesizeTrades } from '../support/fakeBinance/synthesizeTrades.js';

const dir = mkdtempSync(join(tmpdir(), 'fake-binance-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csv(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('loadTradesCsv', () => {
  it('reads timestamp,id,side,price,amount rows', () => {
    const path = csv('ok.csv', 'timestamp,id,side,price,amount\n1000,7,sell,0.5,2.0\n1001,8,buy,0.51,3\n');
    expect(loadTradesCsv(path)).toEqual([
      { ts: 1000, id: 7, side: 'sell', price: 0.5, amount: 2 },
      { ts: 1001, id: 8, side: 'buy', price: 0.51, amount: 3 },
    ]);
  });

  it('names the file and line of the first malformed row', () => {
    const path = csv('bad.csv', 'timestamp,id,side,price,amount\n1000,7,sell,0.5,2\n1001,8,hold,0.51,3\n');
    expect(() => loadTradesCsv(path)).toThrow(`${path}:3: side must be buy or sell`);
    expect(() => loadTradesCsv(csv('hdr.csv', 'ts,id\n'))).toThrow(/expected header/);
  });
});

describe('synthesizeTrades', () => {
  it('makes four trades per candle (O, L, H, C when up; O, H, L, C when down) that rebuild it exactly', () => {
    const s = allocBarSeries('ABC/BTC', '5m', 2);
    const rows = [
      [0, 10, 12, 9, 11, 1.00000003],
      [300_000, 11, 11.5, 10, 10.5, 7],
    ];
    rows.forEach(([t, o, h, l, c, v], i) => {
      s.ts[i] = t as number;
      s.open[i] = o as number;
      s.high[i] = h as number;
      s.low[i] = l as number;
      s.close[i] = c as number;
      s.volume[i] = v as number;
    });
    const trades = synthesizeTrades(s);
    expect(trades.map((t) => [t.ts, t.price, t.side])).toEqual([
      [0, 10, 'buy'],
      [75_000, 9, 'sell'],
      [150_000, 12, 'buy'],
      [225_000, 11, 'sell'],
      [300_000, 11, 'sell'],
      [375_000, 11.5, 'buy'],
      [450_000, 10, 'sell'],
      [525_000, 10.5, 'buy'],
    ]);
    expect(trades.slice(0, 4).map((t) => t.amount)).toEqual([0.25, 0.25, 0.25, 0.25000003]);
    const m = new MarketReplay({ symbol: 'ABC/BTC', candles1m: s, startTime: Number.MAX_SAFE_INTEGER }, 10);
    expect(
      m.klines('5m', 10).map((c) => [c.openTime, c.open, c.high, c.low, c.close, fmtUnits(c.baseUnits)]),
    ).toEqual([
      [0, 10, 12, 9, 11, '1.00000003'],
      [300_000, 11, 11.5, 10, 10.5, '7.00000000'],
    ]);
  });

  it('refuses trades and candles that disagree', async () => {
    const s = allocBarSeries('ABC/BTC', '1m', 1);
    s.ts[0] = 0;
    s.open[0] = s.high[0] = s.low[0] = s.close[0] = 1;
    s.volume[0] = 5;
    const trades = [{ id: 1, ts: 10, price: 1, amount: 4, side: 'buy' as const }];
    await expect(
      FakeBinance.start({ markets: [{ symbol: 'ABC/BTC', trades, candles1m: s }] }),
    ).rejects.toThrow(/disagrees/);
  });
});

describe('Binance number and time conventions', () => {
  it('prints decimals without exponents, at least eight places', () => {
    expect(fmtDecimal(0.00141342)).toBe('0.00141342');
    expect(fmtDecimal(23)).toBe('23.00000000');
    expect(fmtDecimal(1e-9)).toBe('0.000000001');
    expect(plainDecimal(1.5e21)).toBe('1500000000000000000000');
    expect(fmtDecimal(0.09946999000000001)).toBe('0.09946999000000001');
    expect(fmtUnits(-150000001n)).toBe('-1.50000001');
    expect(stepString(8)).toBe('0.00000001');
    expect(stepString(2)).toBe('0.01000000');
  });

  it('opens weekly klines on Monday and monthly ones on the 1st (UTC)', () => {
    const t = Date.UTC(2024, 1, 15, 13, 0); // Thursday 15 Feb 2024
    expect(new Date(intervalStart('1w', t)).toISOString()).toBe('2024-02-12T00:00:00.000Z');
    expect(new Date(intervalStart('1M', t)).toISOString()).toBe('2024-02-01T00:00:00.000Z');
    expect(new Date(intervalEnd('1M', intervalStart('1M', t))).toISOString()).toBe(
      '2024-03-01T00:00:00.000Z',
    );
    expect(intervalStart('4h', t)).toBe(Date.UTC(2024, 1, 15, 12));
  });
});
