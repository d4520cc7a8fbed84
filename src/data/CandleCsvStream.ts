import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { MessagePort, Worker } from 'node:worker_threads';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { QtsError } from '../core/QtsError.js';
import { siblingWorker } from '../core/siblingWorker.js';
import type { BarSeries } from '../model/BarSeries.js';
import { candleFileHead } from './candleFileHead.js';
import { checkedTimeframeMs } from './checkedTimeframeMs.js';
import { DataErrorCode } from './DataErrorCode.js';
import type { DataWarning } from './DataWarning.js';
import type { CandleStreamJob, CandleStreamMessage } from './candleStreamProtocol.js';
import { sharedColumns, STREAM_ABANDONED } from './candleStreamProtocol.js';
import { parseDataFileName, symbolOfFile } from './parseDataFileName.js';

export interface CandleStreamOptions {
  /** Smaller files are not worth a thread (default 8 MiB, ~100k rows). */
  readonly minBytes?: number;
}

const DEFAULT_MIN_BYTES = 8 << 20;
/** Enough of the file to hold its header line. */
const HEAD_BYTES = 64 << 10;
/**
 * No row for this long means the thread is gone (it cannot say so: its exit is an event, and
 * the run blocks the event loop while it waits for rows).
 */
const STALL_MS = 30_000;

/**
 * A large freqtrade candle CSV read by a second thread while a backtest runs on the rows
 * already read: parsing a million rows costs about as much as the run, so the two overlap
 * instead of following each other. The rows land in shared columns; `awaitBars` blocks
 * until the rows a run wants are in.
 *
 * Only the clean case streams: rows in strictly increasing time, at least one bar apart, at
 * the timeframe the file name gives. Anything the whole-file load would repair
 * or refuse (unsorted rows, repeats, a malformed row, overlapping bars) makes the thread stop,
 * and `awaitBars` throws ERR_DATA_STREAM_ABANDONED: the caller then loads the file with
 * loadBarSeries, which sorts, drops or names the line exactly as it always does. Gaps and
 * off-grid spacing are tolerated and reported by `warnings()` once every row is in, with
 * loadBarSeries' words.
 */
export class CandleCsvStream {
  private readonly state: Int32Array;
  private readonly ready: Promise<BarSeries | undefined>;
  private series: BarSeries | undefined;

  private constructor(
    private readonly worker: Worker,
    job: CandleStreamJob,
    private readonly warningsPort: MessagePort,
    private readonly file: string,
    private readonly symbol: string,
    private readonly timeframe: string,
  ) {
    this.state = new Int32Array(job.state);
    this.ready = new Promise((resolve) => {
      worker.once('message', (m: CandleStreamMessage) => {
        // From here on the run blocks until the rows it needs are in, and a run that gives up on
        // the stream must not wait for the thread to finish reading.
        worker.unref();
        resolve(m.kind === 'columns' ? this.columnsArrived(m.rows, m.columns) : undefined);
      });
      // A thread that fails to start or dies before its message streams nothing.
      worker.once('error', () => resolve(undefined));
      worker.once('exit', () => resolve(undefined));
    });
  }

  /**
   * Starts reading `path` on a second thread, or returns undefined when the file is not worth
   * it or not of a kind that streams (small, JSON, Yahoo, no timeframe in its name, one
   * core): load it with loadBarSeries then. Never throws for a bad file: its errors are
   * loadBarSeries' to report.
   */
  static start(path: string, opts: CandleStreamOptions = {}): CandleCsvStream | undefined {
    if (availableParallelism() < 2) return undefined;
    const name = parseDataFileName(path);
    const timeframe = name.timeframe;
    if (timeframe === undefined) return undefined;
    let tfMs: number;
    let bodyStart: number;
    try {
      tfMs = checkedTimeframeMs(timeframe);
      const head = readHead(path, opts.minBytes ?? DEFAULT_MIN_BYTES);
      if (head === undefined) return undefined;
      const { layout, bodyStart: start } = candleFileHead(head, path);
      if (layout !== 'freqtrade' || start > head.length) return undefined;
      bodyStart = start;
    } catch {
      return undefined;
    }
    const channel = new MessageChannel();
    const job: CandleStreamJob = {
      file: path,
      bodyStart,
      timeframe,
      tfMs,
      warnings: channel.port2,
      state: new SharedArrayBuffer(4),
    };
    const worker = siblingWorker(import.meta.url, 'candleStreamWorker', {
      workerData: job,
      transferList: [channel.port2],
    });
    return new CandleCsvStream(worker, job, channel.port1, path, symbolOfFile(name, false), timeframe);
  }

  /**
   * The series, sized to the file's rows, its columns still being written (read a bar only
   * after `awaitBars` has covered it); undefined when the thread gave up before any row.
   */
  columns(): Promise<BarSeries | undefined> {
    return this.ready;
  }

  /**
   * Returns once the first `count` rows are in; throws ERR_DATA_STREAM_ABANDONED when the
   * thread gave up (see the class comment) or fell silent.
   */
  awaitBars(count: number): void {
    const state = this.state;
    for (;;) {
      const written = Atomics.load(state, 0);
      if (written === STREAM_ABANDONED) throw this.abandoned('the file needs the whole-file load');
      if (written >= count) return;
      if (Atomics.wait(state, 0, written, STALL_MS) === 'timed-out' && Atomics.load(state, 0) === written)
        throw this.abandoned(`no row read for ${STALL_MS / 1000} s`);
    }
  }

  /**
   * Once every row is in: what loadBarSeries warns about this file (gaps, off-grid spacing),
   * as the thread found them, so the run does not spend its own time on them.
   */
  warnings(): DataWarning[] {
    const s = this.series;
    if (s === undefined) throw this.abandoned('no rows');
    this.awaitBars(s.length);
    const received = receiveMessageOnPort(this.warningsPort);
    if (received === undefined) throw this.abandoned('no warnings from the reading thread');
    return received.message as DataWarning[];
  }

  /** Stops the thread (after an abandoned stream, or a run that failed). */
  stop(): void {
    this.warningsPort.close();
    void this.worker.terminate();
  }

  private columnsArrived(rows: number, columns: SharedArrayBuffer): BarSeries {
    this.series = {
      symbol: this.symbol,
      timeframe: this.timeframe,
      length: rows,
      ...sharedColumns(columns, rows),
    };
    return this.series;
  }

  private abandoned(why: string): QtsError {
    this.stop();
    return new QtsError(DataErrorCode.StreamAbandoned, `${this.file}: streamed read abandoned: ${why}`, {
      file: this.file,
    });
  }
}

/** The first bytes of a file of at least `minBytes`; undefined for a smaller or unreadable one. */
function readHead(path: string, minBytes: number): Buffer | undefined {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < minBytes) return undefined;
    const head = Buffer.alloc(Math.min(size, HEAD_BYTES));
    const n = readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
