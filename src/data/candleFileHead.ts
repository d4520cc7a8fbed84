import { QtsError } from '../core/QtsError.js';
import { DataErrorCode } from './DataErrorCode.js';
import type { CsvLayout } from './parseCandleCsv.js';
import { CANDLE_CSV_HEADER } from './writeBarSeriesCsv.js';

/** What the start of a candle file says: its format and where its rows begin. */
export interface CandleFileHead {
  readonly layout: CsvLayout | 'json';
  /** Byte offset of the first row (CSV: just after the header; JSON: the opening bracket). */
  readonly bodyStart: number;
  /** 1-based number of the line before `bodyStart` (CSV: the header's), for messages. */
  readonly lineBefore: number;
}

const HEADERS: Readonly<Record<CsvLayout, string>> = {
  freqtrade: CANDLE_CSV_HEADER,
  yahoo: 'date,open,high,low,close,adj close,volume',
};

/**
 * The format of a candle file from its first bytes (never from its name): JSON when the first
 * non-blank character is `[` or `{`, else the CSV layout its header names. A UTF-8 byte-order
 * mark and leading blank lines are skipped. ERR_DATA_FORMAT for an empty file or an unknown
 * header.
 */
export function candleFileHead(bytes: Buffer, path: string): CandleFileHead {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let line = 1;
  for (; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 10) line++;
    else if (c !== 32 && c !== 9 && c !== 13) break;
  }
  if (i >= bytes.length) throw candleFormatError(path, 'empty file');
  // A JSON object is taken as JSON too, to be told it is not an array of candles.
  if (bytes[i] === 91 /* [ */ || bytes[i] === 123 /* { */)
    return { layout: 'json', bodyStart: i, lineBefore: line - 1 };
  let nl = bytes.indexOf(10, i);
  if (nl < 0) nl = bytes.length;
  const header = bytes.toString('utf8', i, nl);
  const layout = layoutOf(header) ?? unknownHeader(path, header);
  return { layout, bodyStart: nl + 1, lineBefore: line };
}

/** ERR_DATA_FORMAT naming the file. */
export function candleFormatError(path: string, what: string): QtsError {
  return new QtsError(DataErrorCode.Format, `${path}: ${what}`, { file: path });
}

function layoutOf(header: string): CsvLayout | undefined {
  // Spreadsheet and R exports quote header cells ("Adj Close"); case and spacing vary too.
  const normalized = header
    .split(',')
    .map((cell) =>
      cell
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .trim()
        .toLowerCase(),
    )
    .join(',');
  if (normalized === HEADERS.freqtrade) return 'freqtrade';
  if (normalized === HEADERS.yahoo) return 'yahoo';
  return undefined;
}

function unknownHeader(path: string, header: string): never {
  const shown = header.length > 80 ? `${header.slice(0, 80)}…` : header;
  throw candleFormatError(
    path,
    `unknown header "${shown.trim()}" (expected "${HEADERS.freqtrade}", Yahoo "Date,Open,High,Low,Close,Adj Close,Volume", or a JSON array)`,
  );
}
