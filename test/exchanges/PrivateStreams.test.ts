/**
 * The private streams' watch loops across a stop and a new start on the same exchange
 * instance. ccxt resolves every watch waiting on a stream with the same news, so a loop of the
 * earlier start that is still waiting must end instead of running beside the new one.
 */
import type { Exchange, Order as CcxtOrder } from 'ccxt';
import { describe, expect, it } from 'vitest';
import type { ExecutionCapabilities } from '../../src/exchanges/ccxt/executionCapabilities.js';
import { PrivateStreams } from '../../src/exchanges/ccxt/PrivateStreams.js';
import { RequestGate } from '../../src/exchanges/ccxt/RequestGate.js';
import { until } from '../app/support/http.js';

interface Batch {
  readonly promise: Promise<CcxtOrder[]>;
  readonly resolve: (orders: CcxtOrder[]) => void;
}

function batch(): Batch {
  let resolve: (orders: CcxtOrder[]) => void = () => undefined;
  const promise = new Promise<CcxtOrder[]>((r) => (resolve = r));
  return { promise, resolve };
}

/** A stream whose waiting watches all get the next batch, as ccxt.pro's futures do. */
class SharedStream {
  waiting = 0;
  private next = batch();

  watch = (): Promise<CcxtOrder[]> => {
    this.waiting++;
    return this.next.promise.finally(() => this.waiting--);
  };

  push(orders: CcxtOrder[]): void {
    const current = this.next;
    this.next = batch();
    current.resolve(orders);
  }
}

function streamsOn(stream: SharedStream, seen: CcxtOrder[][]): PrivateStreams {
  const exchange = { has: { watchOrders: true }, watchOrders: stream.watch } as unknown as Exchange;
  const now = (): number => Date.now();
  return new PrivateStreams(
    {
      exchange,
      capabilities: { privateStreams: true } as ExecutionCapabilities,
      gate: new RequestGate({ now, sleep: () => Promise.resolve(), maxOrders: 50, windowMs: 10_000 }),
      now,
      streamConfirmMs: 60_000,
    },
    { trades: () => undefined, orders: (o) => seen.push(o), healthy: () => undefined },
  );
}

/** Streams started, their loop waiting on a watch, then stopped. */
async function startedThenStopped(): Promise<{
  stream: SharedStream;
  seen: CcxtOrder[][];
  streams: PrivateStreams;
}> {
  const stream = new SharedStream();
  const seen: CcxtOrder[][] = [];
  const streams = streamsOn(stream, seen);
  streams.start();
  await until(() => stream.waiting === 1, 'the first watch');
  streams.stop();
  return { stream, seen, streams };
}

describe('PrivateStreams', () => {
  it('stopped and started again, reads each batch once with one loop', async () => {
    const { stream, seen, streams } = await startedThenStopped();
    streams.start();
    await until(() => stream.waiting === 2, 'both starts waiting');
    const first = [{ id: '1' } as CcxtOrder];
    stream.push(first);
    await until(() => seen.length >= 1 && stream.waiting >= 1, 'the first batch read');
    // Both waiting watches got the batch; only the new start's loop reads it and waits again.
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([first]);
    expect(stream.waiting).toBe(1);
    stream.push([{ id: '2' } as CcxtOrder]);
    await until(() => seen.length >= 2, 'the second batch read');
    await new Promise((r) => setImmediate(r));
    expect(seen.map((b) => b[0]?.id)).toEqual(['1', '2']);
    streams.stop();
  });

  it('reads the batch a watch was already waiting for when stopped', async () => {
    const { stream, seen, streams } = await startedThenStopped();
    stream.push([{ id: '1' } as CcxtOrder]);
    await until(() => stream.waiting === 0, 'the stopped watch to return');
    await new Promise((r) => setImmediate(r));
    expect(seen.map((b) => b[0]?.id)).toEqual(['1']);
    expect(streams.running).toBe(false);
  });
});
