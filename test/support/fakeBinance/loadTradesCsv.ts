/**
 * Reads a trade file `timestamp,id,side,price,amount` (the layout of
 * shared/data/crypto/trades/*-trades.csv, freqtrade's trade export) into FakeTrades.
 * Strict: a malformed row stops the load with FILE:LINE, because a replay of silently
 * skipped trades is a replay of different data.
 */
import { readFileSync } from 'node:fs';
import type { FakeTrade } from './types.js';

const HEADER = 'timestamp,id,side,price,amount';

/** The trades of a CSV file, in file order. */
export function loadTradesCsv(path: string): FakeTrade[] {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  const header = (lines[0] ?? '')
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase();
  if (header !== HEADER) throw new Error(`${path}:1: expected header "${HEADER}", got "${header}"`);
  const trades: FakeTrade[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    const cells = line.split(',');
    const bad = (what: string): never => {
      throw new Error(`${path}:${i + 1}: ${what} in "${line}"`);
    };
    if (cells.length !== 5) bad(`expected 5 columns, got ${cells.length}`);
    const [tsCell, idCell, sideCell, priceCell, amountCell] = cells as [
      string,
      string,
      string,
      string,
      string,
    ];
    const ts = Number(tsCell);
    const id = Number(idCell);
    const price = Number(priceCell);
    const amount = Number(amountCell);
    if (tsCell === '' || !Number.isSafeInteger(ts)) bad('bad timestamp');
    if (idCell === '' || !Number.isSafeInteger(id)) bad('bad id');
    if (sideCell !== 'buy' && sideCell !== 'sell') bad('side must be buy or sell');
    if (priceCell === '' || !(price > 0) || !Number.isFinite(price)) bad('bad price');
    if (amountCell === '' || !(amount >= 0) || !Number.isFinite(amount)) bad('bad amount');
    trades.push({ ts, id, side: sideCell as 'buy' | 'sell', price, amount });
  }
  if (trades.length === 0) throw new Error(`${path}: no trades`);
  return trades;
}
