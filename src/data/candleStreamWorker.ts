import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { CandleStreamJob, CandleStreamMessage } from './candleStreamProtocol.js';
import { sharedColumns, sharedColumnsBytes, STREAM_ABANDONED } from './candleStreamProtocol.js';
import { normalizeCandles } from './normalizeCandles.js';
import { parseCandleCsvInto } from './parseCandleCsv.js';
import type { RawCandles } from './RawCandles.js';

// The thread of a CandleCsvStream: reads the file, counts its rows, hands over the shared
// columns, then parses them a chunk at a time, publishing how many rows are in after each.

/** Rows are published a chunk at a time: small enough that the run starts at once. */
const CHUNK_BYTES = 1 << 20;

const job = workerData as CandleStreamJob;
const state = new Int32Array(job.state);

function post(m: CandleStreamMessage): void {
  parentPort?.postMessage(m);
}

function abandon(): void {
  Atomics.store(state, 0, STREAM_ABANDONED);
  Atomics.notify(state, 0);
}

/** Non-empty lines from `from` on (a line holding only CR is empty too, as CsvCursor reads it). */
function countRows(bytes: Buffer, from: number): number {
  let rows = 0;
  let start = from;
  while (start < bytes.length) {
    let nl = bytes.indexOf(10, start);
    if (nl < 0) nl = bytes.length;
    if (nl > start && !(nl === start + 1 && bytes[start] === 13)) rows++;
    start = nl + 1;
  }
  return rows;
}

function stream(): void {
  const bytes = readFileSync(job.file);
  const rows = countRows(bytes, job.bodyStart);
  if (rows === 0) {
    post({ kind: 'abandoned' });
    return;
  }
  const shared = new SharedArrayBuffer(sharedColumnsBytes(rows));
  post({ kind: 'columns', rows, columns: shared });
  const columns = { length: rows, ...sharedColumns(shared, rows) };
  let done = 0;
  let start = job.bodyStart;
  while (start < bytes.length) {
    let end = Math.min(bytes.length, start + CHUNK_BYTES);
    if (end < bytes.length) {
      const nl = bytes.indexOf(10, end);
      end = nl < 0 ? bytes.length : nl + 1;
    }
    // Line numbers do not matter here: a malformed row abandons the stream, and the
    // whole-file load names its line.
    const body = {
      bytes: bytes.subarray(0, end),
      file: job.file,
      layout: 'freqtrade',
      bodyStart: start,
      headerLine: 0,
      adjusted: false,
    } as const;
    const next = parseCandleCsvInto(body, columns, done);
    if (next < 0) return abandon();
    // Unsorted, repeated or overlapping bars: the whole-file load sorts, drops or refuses.
    const ts = columns.ts;
    for (let k = Math.max(done, 1); k < next; k++)
      if (!((ts[k] as number) - (ts[k - 1] as number) >= job.tfMs)) return abandon();
    done = next;
    start = end;
    // The last row waits for the warnings, which the run reads once it has that row.
    if (done === rows) postWarnings(columns);
    Atomics.store(state, 0, done);
    Atomics.notify(state, 0);
  }
  if (done !== rows) abandon();
}

/**
 * The whole-file load's warnings for these rows (gaps, off-grid spacing). Rows that reach here
 * are in order and at least one bar apart, so none of its errors (which need line numbers
 * this thread does not keep) can happen.
 */
function postWarnings(columns: Omit<RawCandles, 'lineOf'>): void {
  const raw = { ...columns, lineOf: () => 0 };
  const { warnings } = normalizeCandles(raw, { file: job.file, symbol: '', timeframe: job.timeframe });
  job.warnings.postMessage(warnings);
}

try {
  stream();
} catch {
  // A malformed row, an unreadable file: the whole-file load reports it. Before the columns
  // went out, the message says so; after, the state word does.
  post({ kind: 'abandoned' });
  abandon();
}
