/**
 * Shared pieces of the FakeBinance tests: the reference data, waiting with deadlines (never
 * fixed sleeps), and a raw WebSocket client that sees every frame exactly as sent.
 */
import { WebSocket } from 'ws';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import type { BarSeries } from '../../src/model/BarSeries.js';
import { loadTradesCsv } from '../support/fakeBinance/loadTradesCsv.js';
import type { FakeTrade } from '../support/fakeBinance/FakeBinance.js';
import { sharedFile } from '../support/sharedData.js';

/** XRP/ETH trades and their 1m candles from shared/data. */
export function xrpEth(): { trades: FakeTrade[]; candles: BarSeries } {
  return {
    trades: loadTradesCsv(sharedFile('crypto/trades/XRP_ETH-trades.csv')),
    candles: loadBarSeries(sharedFile('crypto/spot-1m/XRP_ETH-1m.csv')).series,
  };
}

/** `p`, or a rejection naming `what` after `ms`. */
export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `cond` until it holds, failing after `ms`. */
export async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Awaits `first` (a ccxt.pro watch already pending), then calls `watch` again until `done`
 * holds for everything received so far.
 */
export async function collect<T>(
  first: Promise<T[]>,
  watch: () => Promise<T[]>,
  done: (all: T[]) => boolean,
  what: string,
  ms = 5000,
): Promise<T[]> {
  const deadline = performance.now() + ms;
  const all: T[] = [...(await withTimeout(first, ms, what))];
  while (!done(all)) {
    const left = deadline - performance.now();
    if (left <= 0) throw new Error(`timed out after ${ms} ms collecting ${what} (got ${all.length})`);
    all.push(...(await withTimeout(watch(), left, what)));
  }
  return all;
}

/** Index of the first element of a sorted array that is >= x. */
export function lowerBound(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A plain `ws` client that queues every text frame it receives. */
export class RawWs {
  private readonly queue: string[] = [];
  private waiter: ((frame: string) => void) | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      const frame = data.toString('utf8');
      const w = this.waiter;
      this.waiter = undefined;
      if (w !== undefined) w(frame);
      else this.queue.push(frame);
    });
  }

  static async open(url: string): Promise<RawWs> {
    const ws = new WebSocket(url);
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      }),
      5000,
      `connection to ${url}`,
    );
    return new RawWs(ws);
  }

  /** The next frame, parsed. */
  next(ms = 5000): Promise<unknown> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(JSON.parse(queued) as unknown);
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`timed out after ${ms} ms waiting for a WebSocket frame`));
      }, ms);
      this.waiter = (frame) => {
        clearTimeout(timer);
        resolve(JSON.parse(frame) as unknown);
      };
    });
  }

  /** Frames already received and not yet read. */
  pending(): number {
    return this.queue.length;
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((resolve) => this.ws.once('close', () => resolve()));
    this.ws.close();
    await withTimeout(closed, 5000, 'the WebSocket to close');
  }
}
