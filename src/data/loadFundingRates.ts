import type { Fixed } from '../core/Fixed.js';
import { parseFixed } from '../core/Fixed.js';
import { QtsError } from '../core/QtsError.js';
import { timestampProblem } from './candleProblem.js';
import { DataErrorCode } from './DataErrorCode.js';
import { parseDataFileName } from './parseDataFileName.js';
import { readDataText } from './readDataFile.js';

/** A funding-rate history: settlement times (Unix ms) and exact rates, in time order. */
export interface FundingRateSeries {
  readonly symbol: string;
  readonly ts: readonly number[];
  readonly rate: readonly Fixed[];
}

const HEADER = 'timestamp,funding_rate';
/** Rates beyond ±100 % per interval are a broken file, not a market. */
const MAX_RATE = 10n ** 16n;

/**
 * Reads a funding-rate CSV as freqtrade stores it (`timestamp,funding_rate`, timestamp =
 * settlement time in Unix ms; `XRP_USDT_USDT-8h-funding_rate.csv` → XRP/USDT:USDT). Rates
 * are parsed from their text exactly (`2.024e-05`, and float noise such as
 * `-0.0021933400000000002` rounds half-even at 16 places), never through a float.
 * Malformed rows are ERR_DATA_PARSE `FILE:LINE: what`; rows out of order are an error too
 * (a funding history is short: fix it rather than guess), as is a timestamp given twice.
 */
export function loadFundingRates(path: string, opts: { symbol?: string } = {}): FundingRateSeries {
  const text = readDataText(path);
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '')
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replaceAll(' ', '');
  if (header !== HEADER)
    throw new QtsError(
      DataErrorCode.Format,
      `${path}: unknown header "${lines[0] ?? ''}" (expected "${HEADER}")`,
      {
        file: path,
      },
    );
  const ts: number[] = [];
  const rate: Fixed[] = [];
  for (let i = 1; i < lines.length; i++) {
    const row = (lines[i] as string).trim();
    if (row === '') continue;
    const where = `${path}:${i + 1}`;
    const cells = row.split(',');
    if (cells.length !== 2) throw parseError(where, `expected 2 columns (${HEADER}), got ${cells.length}`);
    const t = Number(cells[0]);
    if (!/^\d+$/.test((cells[0] as string).trim()) || !Number.isSafeInteger(t))
      throw parseError(where, `timestamp "${cells[0]}" is not Unix milliseconds`);
    // Microseconds would load as fundings of the year 50000+, never met by a bar: refused as candles are.
    const problem = timestampProblem(t);
    if (problem !== undefined) throw parseError(where, problem);
    let r: Fixed;
    try {
      r = parseFixed((cells[1] as string).trim());
    } catch {
      throw parseError(where, `funding_rate "${cells[1]}" is not a number`);
    }
    if (r >= MAX_RATE || r <= -MAX_RATE) throw parseError(where, `funding_rate ${cells[1]} is beyond ±100 %`);
    const prev = ts[ts.length - 1];
    if (prev !== undefined && t <= prev)
      throw parseError(
        where,
        t === prev ? `timestamp ${t} given twice` : `timestamp ${t} is before the row above`,
      );
    ts.push(t);
    rate.push(r);
  }
  if (ts.length === 0) throw new QtsError(DataErrorCode.Format, `${path}: no data rows`, { file: path });
  const symbol = opts.symbol ?? parseDataFileName(path).pair;
  if (symbol === undefined)
    throw new QtsError(DataErrorCode.Format, `${path}: cannot tell the symbol from the name (give it)`, {
      file: path,
    });
  return { symbol, ts, rate };
}

function parseError(where: string, what: string): QtsError {
  return new QtsError(DataErrorCode.Parse, `${where}: ${what}`);
}
