import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QtsError } from '../../src/core/QtsError.js';
import { loadTradesCsv } from '../../src/data/loadTradesCsv.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';
import { itPinsTheTradeLog, runGolden, series } from './support/golden.js';

const CANDLES = 'crypto/spot-1m/XRP_ETH-1m.csv';
const TRADES = 'crypto/trades/XRP_ETH-trades.csv';
const PARAMS = { windowMinutes: 15, entry: 0.4, exit: -0.2, minTrades: 20 };

describe.skipIf(!HAS_SHARED_DATA)('order-flow on XRP/ETH 1m candles + public trades (golden)', () => {
  const s = series(CANDLES);
  const trades = loadTradesCsv(sharedFile(TRADES));
  const r = runGolden('order-flow', [s], PARAMS, { initialCash: 10, trades });

  it('loads every trade of the file, in time order, with its taker side', () => {
    const rows = readFileSync(sharedFile(TRADES), 'utf8').trim().split('\n').length - 1;
    expect(trades).toHaveLength(rows);
    expect(trades[0]).toMatchObject({ symbol: 'XRP/ETH', side: 'SELL' });
    for (let i = 1; i < trades.length; i++)
      expect((trades[i] as { ts: number }).ts).toBeGreaterThanOrEqual((trades[i - 1] as { ts: number }).ts);
  });

  itPinsTheTradeLog(r, {
    filled: 112,
    sent: 112,
    finalEquity: 9.05514309638573,
    sha256: 'faa503f1afa7002f31f9f7f2e4494d8e21ca5f4350484dc3b10202998e52b051',
  });

  it('each entry followed a taker-buy imbalance ≥ 0.4 over the 15 minutes before the bar close, each exit ≤ −0.2', () => {
    // The tape read straight from the CSV here: timestamp,id,side,price,amount.
    const tape = readFileSync(sharedFile(TRADES), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','))
      .map(([ts, , side, , amount]) => ({
        ts: Number(ts),
        signed: side === 'buy' ? Number(amount) : -Number(amount),
      }));
    const imbalance = (close: number): { x: number; n: number } => {
      let buy = 0;
      let sell = 0;
      let n = 0;
      for (const t of tape) {
        if (t.ts < close - PARAMS.windowMinutes * 60_000 || t.ts >= close) continue;
        n++;
        if (t.signed > 0) buy += t.signed;
        else sell -= t.signed;
      }
      return { x: (buy - sell) / (buy + sell), n };
    };
    expect(r.fills.length).toBeGreaterThan(10);
    for (const f of r.fills) {
      const d = f.barIndex - 1;
      const { x, n } = imbalance((s.ts[d] as number) + 60_000);
      expect(n).toBeGreaterThanOrEqual(PARAMS.minTrades);
      if (f.side === 'BUY') expect(x).toBeGreaterThanOrEqual(PARAMS.entry);
      else expect(x).toBeLessThanOrEqual(PARAMS.exit);
    }
  });

  it('without trades it never trades, and trades of a symbol with no candles are refused', () => {
    expect(runGolden('order-flow', [s], PARAMS, { initialCash: 10 }).fills).toHaveLength(0);
    const alien = trades.slice(0, 3).map((t) => ({ ...t, symbol: 'BTC/USDT' }));
    expect(() => runGolden('order-flow', [s], PARAMS, { initialCash: 10, trades: alien })).toThrow(QtsError);
  });
});

describe('loadTradesCsv errors', () => {
  const write = (name: string, text: string): string => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-trades-'));
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  it('names the file and line of a malformed row, and refuses an unknown header or a missing file', () => {
    const bad = write(
      'XRP_ETH-trades.csv',
      'timestamp,id,side,price,amount\n1,1,buy,0.1,2\n2,2,hold,0.1,2\n',
    );
    expect(() => loadTradesCsv(bad)).toThrow(/XRP_ETH-trades\.csv:3: bad side "hold"/);
    const header = write('XRP_ETH-trades.csv', 'ts,price\n1,2\n');
    expect(() => loadTradesCsv(header)).toThrow(QtsError);
    expect(() => loadTradesCsv(join(tmpdir(), 'nope-trades.csv'))).toThrow(/nope-trades.csv: no such file/);
  });
});
