import { FeedWarningCode } from '../../data/MarketDataFeed.js';
import type { FeedContext } from './FeedContext.js';
import { errorText } from './tradeBackfill.js';

/** The public streams a feed opens per symbol. */
export type StreamKind = 'trades' | 'ohlcv' | 'ticker' | 'book';

const WATCH: Record<StreamKind, string> = {
  trades: 'watchTrades',
  ohlcv: 'watchOHLCV',
  ticker: 'watchTicker',
  book: 'watchOrderBook',
};
const FETCH: Record<StreamKind, string> = {
  trades: 'fetchTrades',
  ohlcv: 'fetchOHLCV',
  ticker: 'fetchTicker',
  book: 'fetchOrderBook',
};

/** Resyncs of one stream retried at once, in a row, before they wait a backoff delay. */
const MAX_IMMEDIATE_RESYNCS = 3;

/** What a stream loop needs from its feed. */
export interface StreamLoopContext extends FeedContext {
  /** Interval of REST polling for streams the venue cannot stream. */
  readonly pollIntervalMs: number;
  /** A stream failed and is retried after `delayMs` (counts a reconnect, reports the request problem). */
  failed(e: unknown, delayMs: number): void;
}

/** How one stream is read and what happens when it fails. */
export interface StreamHandlers {
  watch: () => Promise<void>;
  poll: () => Promise<void>;
  onFailure?: (e: unknown) => Promise<'resync' | undefined> | 'resync' | undefined | void;
  onRetry?: () => void;
}

/**
 * Runs one stream until stop: `watch` when the venue streams it, `poll` every
 * `pollIntervalMs` otherwise. A failure waits a backoff delay, logs, and retries
 * (`onRetry` runs just before a stream is watched again); 'resync' from onFailure
 * retries at once, up to MAX_IMMEDIATE_RESYNCS times in a row: a venue whose sequence breaks
 * again on every snapshot is then retried with backoff like any failure (each resync costs a
 * REST snapshot, heavy in request weight, and a loop of rejections settling as microtasks
 * would starve every timer of the process).
 */
export async function streamLoop(
  ctx: StreamLoopContext,
  symbol: string,
  kind: StreamKind,
  h: StreamHandlers,
): Promise<void> {
  const streaming = ctx.exchange.has[WATCH[kind]] === true;
  if (!streaming && ctx.exchange.has[FETCH[kind]] !== true) {
    ctx.log.warn({ feed: ctx.feed, symbol, stream: kind }, 'venue can neither stream nor serve this');
    return;
  }
  if (!streaming) {
    ctx.log.info(
      { feed: ctx.feed, symbol, stream: kind, everyMs: ctx.pollIntervalMs },
      'venue cannot stream this: polling REST',
    );
  }
  const backoff = ctx.backoff();
  let resyncs = 0;
  while (!ctx.stopped()) {
    try {
      if (streaming) {
        await h.watch();
        resyncs = 0;
      } else {
        await h.poll();
        await ctx.sleep(ctx.pollIntervalMs);
      }
      if (backoff.failures() > 0) {
        ctx.log.info({ feed: ctx.feed, symbol, stream: kind, after: backoff.failures() }, 'stream recovered');
        backoff.reset();
      }
    } catch (e) {
      if (ctx.stopped()) break;
      const action = await h.onFailure?.(e);
      if (action === 'resync' && ++resyncs <= MAX_IMMEDIATE_RESYNCS) {
        ctx.log.warn({ feed: ctx.feed, symbol, stream: kind, err: errorText(e) }, 'resyncing');
        // Let timers and I/O run between attempts.
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      resyncs = 0;
      const delayMs = backoff.next();
      ctx.failed(e, delayMs);
      ctx.log.warn(
        {
          feed: ctx.feed,
          symbol,
          stream: kind,
          attempt: backoff.failures(),
          delayMs,
          err: errorText(e),
        },
        'stream failed: reconnecting',
      );
      ctx.emit(() =>
        ctx.listener.onWarning({
          code: FeedWarningCode.Reconnecting,
          message: `${symbol} ${kind}: ${errorText(e)}; retry in ${delayMs} ms`,
          symbol,
          details: { stream: kind, attempt: backoff.failures(), delayMs },
        }),
      );
      await ctx.sleep(delayMs);
      if (ctx.stopped()) break;
      // A poll picks up from where it stopped by itself; a stream resubscribes "from now".
      if (streaming) h.onRetry?.();
    }
  }
}
