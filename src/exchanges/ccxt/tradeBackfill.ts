import type { Exchange } from 'ccxt';
import type { Trade } from '../../model/Bar.js';
import type { Backoff } from '../Backoff.js';
import type { FeedLogger } from '../FeedLogger.js';
import type { TradeSequencer } from '../TradeSequencer.js';
import type { TradePage } from './fetchTradesFromId.js';
import { fetchTradesBefore, fetchTradesFromId, fetchTradesSince } from './fetchTradesFromId.js';

/** What a backfill needs from the feed it runs in. */
export interface BackfillContext {
  readonly exchange: Exchange;
  readonly symbol: string;
  /** Trades per request. */
  readonly limit: number;
  /** Requests before giving up on a hole. */
  readonly maxRequests: number;
  readonly feed: string;
  readonly log: FeedLogger;
  sleep(ms: number): Promise<void>;
  backoff(): Backoff;
  stopped(): boolean;
  /** Hands trades (in venue order) on to the bars and the listener. */
  deliver(trades: readonly Trade[]): void;
  /** Time of the newest trade delivered so far. */
  lastTradeTs(): number;
  /** Counts one REST request. */
  counted(): void;
}

/** What a backfill did. */
export interface BackfillResult {
  /** Trades it delivered that the stream had not. */
  readonly recovered: number;
  /** Trade ids it gave up on (the venue could not serve them). */
  readonly unfillable: number;
  readonly requests: number;
  readonly sources: readonly string[];
}

/**
 * Fetches the trades from the sequencer's next expected id on (venues with consecutive
 * ids), page after page, until the hole is closed and — after a reconnect — the newest
 * trade is reached. Ids the venue cannot serve are skipped (`unfillable`). A failed
 * request is retried with backoff until the feed stops.
 */
export async function backfillById(
  ctx: BackfillContext,
  seq: TradeSequencer,
  reason: 'trade-id-jump' | 'reconnect',
): Promise<BackfillResult> {
  let recovered = 0;
  let unfillable = 0;
  let requests = 0;
  const sources = new Set<string>();
  const backoff = ctx.backoff();
  while (requests < ctx.maxRequests && !ctx.stopped()) {
    if (reason === 'trade-id-jump' && seq.gap() === undefined) break;
    const from = seq.expectedId();
    if (from === undefined) break;
    let page: TradePage;
    try {
      ctx.counted();
      page = await fetchTradesFromId(ctx.exchange, ctx.symbol, from, ctx.limit, ctx.lastTradeTs());
    } catch (e) {
      const delayMs = backoff.next();
      ctx.log.warn(
        { feed: ctx.feed, symbol: ctx.symbol, fromId: from, delayMs, err: errorText(e) },
        'backfill request failed: retrying',
      );
      await ctx.sleep(delayMs);
      continue;
    }
    backoff.reset();
    requests++;
    if (ctx.stopped()) break;
    sources.add(page.source);
    const got = page.trades;
    const dupsBefore = seq.duplicates();
    const released = seq.push(got);
    recovered += got.length - (seq.duplicates() - dupsBefore);
    ctx.deliver(released);
    const firstId = got[0] === undefined ? undefined : Number(got[0].id);
    if (firstId === undefined || firstId > from) {
      // The venue cannot serve trade `from` (out of reach without a key, or gone).
      const g = seq.gap();
      if (g !== undefined && g.fromId === from) {
        unfillable += g.missing;
        ctx.deliver(seq.skipGap());
        continue;
      }
      if (firstId === undefined) break;
    }
    if (page.latest && seq.gap() === undefined) break;
  }
  return { recovered, unfillable, requests, sources: [...sources] };
}

/**
 * Fetches the trades since the newest one delivered (venues with opaque ids), page by
 * page by time; `seen` filters the ones already delivered.
 */
export async function backfillByTime(
  ctx: BackfillContext,
  seen: (id: string) => boolean,
): Promise<BackfillResult> {
  let since = ctx.lastTradeTs();
  let recovered = 0;
  let requests = 0;
  const backoff = ctx.backoff();
  while (requests < ctx.maxRequests && !ctx.stopped()) {
    let got: Trade[];
    try {
      ctx.counted();
      got = await fetchTradesSince(ctx.exchange, ctx.symbol, since, ctx.limit);
    } catch (e) {
      const delayMs = backoff.next();
      ctx.log.warn(
        { feed: ctx.feed, symbol: ctx.symbol, since, delayMs, err: errorText(e) },
        'backfill request failed: retrying',
      );
      await ctx.sleep(delayMs);
      continue;
    }
    backoff.reset();
    requests++;
    const fresh = got.filter((t) => !seen(t.id));
    recovered += fresh.length;
    ctx.deliver(fresh);
    const last = got.at(-1);
    if (last === undefined || got.length < ctx.limit || last.ts <= since) break;
    since = last.ts;
  }
  return { recovered, unfillable: 0, requests, sources: ['by-time'] };
}

/**
 * The trades before the first one a stream delivered, back to `fromTs` (the start of the
 * longest bar period it falls in), so the first bars are whole. `coverage`: from this
 * time on every trade is known (-Infinity: all of them); bars starting earlier are partial.
 */
export async function fetchHead(
  ctx: BackfillContext,
  first: Trade,
  fromTs: number,
): Promise<{ before: Trade[]; coverage: number }> {
  try {
    ctx.counted();
    const r = await fetchTradesBefore(ctx.exchange, ctx.symbol, Number(first.id), fromTs, ctx.limit);
    // Usable only when contiguous up to the first trade (ids without a hole).
    const last = r.trades.at(-1);
    if (last === undefined || Number(last.id) + 1 === Number(first.id)) {
      return {
        before: r.trades,
        coverage: r.complete ? -Infinity : (r.trades[0]?.ts ?? first.ts) + 1,
      };
    }
  } catch (e) {
    ctx.log.warn(
      { feed: ctx.feed, symbol: ctx.symbol, err: errorText(e) },
      'could not fetch the trades before the first one: the first bars may be dropped',
    );
  }
  return { before: [], coverage: first.ts };
}

/** An error as one line for logs. */
export function errorText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}
