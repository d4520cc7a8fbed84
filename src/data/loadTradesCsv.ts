import { QtsError } from '../core/QtsError.js';
import type { Trade } from '../model/Bar.js';
import { timestampProblem } from './candleProblem.js';
import { DataErrorCode } from './DataErrorCode.js';
import { parseDataFileName } from './parseDataFileName.js';
import { readDataText } from './readDataFile.js';

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A plain decimal's value, NaN for anything else (Number() reads "" as 0 and "0x10" as hex). */
function decimal(text: string | undefined): number {
  const t = (text ?? '').trim();
  return DECIMAL.test(t) ? Number(t) : NaN;
}

/**
 * Loads a file of public trades, freqtrade's `timestamp,id,side,price,amount` CSV
 * (timestamp in Unix ms, side = taker side `buy`|`sell`), for backtests of strategies that
 * read the tape. The symbol comes from the name (`XRP_ETH-trades.csv` → XRP/ETH) unless
 * given. Trades come back sorted by (time, id) — the order the exchange printed them.
 * A malformed row is ERR_DATA_PARSE `FILE:LINE: what was wrong`; nothing is skipped.
 */
export function loadTradesCsv(path: string, symbol?: string): Trade[] {
  const text = readDataText(path);
  const sym = symbol ?? parseDataFileName(path).pair;
  if (sym === undefined)
    throw new QtsError(
      DataErrorCode.Format,
      `${path}: no symbol in the file name (expected BASE_QUOTE-trades.csv)`,
    );
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').trim().toLowerCase();
  if (header !== 'timestamp,id,side,price,amount')
    throw new QtsError(DataErrorCode.Format, `${path}: expected header timestamp,id,side,price,amount`);
  const out: Trade[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    const [ts, id, side, price, amount, extra] = line.split(',');
    const bad = (what: string): never => {
      throw new QtsError(DataErrorCode.Parse, `${path}:${i + 1}: ${what}`);
    };
    if (amount === undefined || extra !== undefined) bad('expected 5 columns');
    // Not Number(ts): "" would be a trade at 1970-01-01, replayed first.
    const t = decimal(ts);
    if (Number.isNaN(t)) bad(`bad timestamp "${ts}" (expected Unix ms)`);
    const px = decimal(price);
    const qty = decimal(amount);
    const badTime = timestampProblem(t);
    if (badTime !== undefined) bad(badTime);
    if (!(px > 0) || !Number.isFinite(px)) bad(`bad price "${price}"`);
    if (!(qty > 0) || !Number.isFinite(qty)) bad(`bad amount "${amount}"`);
    const s = (side ?? '').toLowerCase();
    if (s !== 'buy' && s !== 'sell') bad(`bad side "${side}" (buy or sell)`);
    out.push({
      symbol: sym,
      ts: t,
      id: id ?? '',
      price: px,
      amount: qty,
      side: s === 'buy' ? 'BUY' : 'SELL',
    });
  }
  if (out.length === 0) throw new QtsError(DataErrorCode.Format, `${path}: no trades`);
  const byId = (a: string, b: string): number =>
    a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
  return out.sort((a, b) => a.ts - b.ts || byId(a.id, b.id));
}
