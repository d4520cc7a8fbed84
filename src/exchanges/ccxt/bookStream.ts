import type { OrderBook as CcxtOrderBook } from 'ccxt';
import { InvalidNonce } from 'ccxt';
import type { FeedGap } from '../../data/MarketDataFeed.js';
import { toBook } from './ccxtMappers.js';
import type { StreamLoopContext } from './streamLoop.js';
import { streamLoop } from './streamLoop.js';
import { errorText } from './tradeBackfill.js';

/** What the order-book stream of a symbol needs beyond the stream loop. */
export interface BookStreamOptions {
  /** Levels per side in each OrderBookView. */
  readonly depth: number;
  /** Wall time, stamped on books the venue sends without one. */
  now(): number;
  /** A message arrived (staleness). */
  touched(): void;
  /** The book broke its sequence and is being resynced (counted). */
  resynced(): void;
}

/**
 * The order book of one symbol until stop. ccxt keeps the book from a snapshot plus diffs
 * and checks their sequence; a broken sequence (or one that goes back) is reported as a
 * gap and the book is resubscribed, which fetches a new snapshot.
 */
export async function bookStream(
  ctx: StreamLoopContext,
  symbol: string,
  o: BookStreamOptions,
): Promise<void> {
  let bookSequence: number | undefined;
  const gap = (phase: FeedGap['phase']): void =>
    ctx.emit(() => ctx.listener.onGap({ ...bookGap(symbol), phase }));
  const handle = (b: CcxtOrderBook): void => {
    o.touched();
    const seq = b.nonce;
    if (seq !== undefined && bookSequence !== undefined && seq < bookSequence) {
      // A sequence going back means the local book no longer follows the venue's.
      throw new BookSequenceError(`${symbol} book sequence went back from ${bookSequence} to ${seq}`);
    }
    bookSequence = seq;
    const view = toBook(b, symbol, o.depth, o.now());
    ctx.emit(() => ctx.listener.onBook(view));
  };
  let resyncing = false;
  await streamLoop(ctx, symbol, 'book', {
    watch: async () => {
      const b = await ctx.exchange.watchOrderBook(symbol);
      if (resyncing) {
        resyncing = false;
        gap('filled');
      }
      handle(b);
    },
    poll: async () => {
      const b = await ctx.exchange.fetchOrderBook(symbol, o.depth);
      bookSequence = undefined; // each poll is a fresh snapshot
      handle(b);
    },
    onFailure: async (e) => {
      bookSequence = undefined;
      // ccxt's own check (ChecksumError is an InvalidNonce) or ours.
      if (!(e instanceof InvalidNonce || e instanceof BookSequenceError)) return undefined;
      o.resynced();
      resyncing = true;
      gap('open');
      // On its own sequence error ccxt drops the book and its subscription, so the next
      // watch fetches a snapshot; after ours, unsubscribe first (and wait for it) to get
      // the same. Unsubscribing after ccxt's error would race the new subscription.
      if (e instanceof BookSequenceError && ctx.exchange.has['unWatchOrderBook'] === true) {
        try {
          await ctx.exchange.unWatchOrderBook(symbol);
        } catch (err) {
          ctx.log.warn({ feed: ctx.feed, symbol, err: errorText(err) }, 'unwatch of the book failed');
        }
      }
      return 'resync';
    },
  });
}

/** Our own book sequence check failed (ccxt's raises InvalidNonce/ChecksumError). */
class BookSequenceError extends Error {
  override readonly name = 'BookSequenceError';
}

function bookGap(symbol: string): Omit<FeedGap, 'phase'> {
  return {
    symbol,
    stream: 'book',
    reason: 'book-sequence',
    fromId: undefined,
    toId: undefined,
    missing: 0,
    recovered: 0,
  };
}
