import { readFileSync } from 'node:fs';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import type { Bar, Trade } from '../../src/model/Bar.js';
import { barAt } from '../../src/model/BarSeries.js';
import { sharedFile } from '../support/sharedData.js';

/** The recorded Binance XRP/ETH public trades (consecutive ids 13519807…13532283). */
export const XRP_ETH_TRADES = sharedFile('crypto/trades/XRP_ETH-trades.csv');
/** Binance's own 1m candles for the same period. */
export const XRP_ETH_1M = sharedFile('crypto/spot-1m/XRP_ETH-1m.csv');

/** Parses a trades CSV `timestamp,id,side,price,amount` into Trade messages. */
export function loadTrades(file: string, symbol: string): Trade[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines[0]?.trim() !== 'timestamp,id,side,price,amount') throw new Error(`${file}: unexpected header`);
  const out: Trade[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]?.trim();
    if (!line) continue;
    const [ts, id, side, price, amount] = line.split(',');
    if (ts === undefined || id === undefined || price === undefined || amount === undefined) {
      throw new Error(`${file}:${i + 1}: malformed row`);
    }
    out.push({
      symbol,
      ts: Number(ts),
      id,
      price: Number(price),
      amount: Number(amount),
      side: side === 'buy' ? 'BUY' : 'SELL',
    });
  }
  return out;
}

/** The candles of a freqtrade CSV as closed bars. */
export function loadBars(file: string, symbol: string): Bar[] {
  const { series } = loadBarSeries(file, { symbol });
  const out: Bar[] = [];
  for (let i = 0; i < series.length; i++) out.push(barAt(series, i));
  return out;
}
