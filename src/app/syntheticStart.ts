import type { Millis } from '../core/time.js';
import { timeframeToMs } from '../core/time.js';
import type { LastFill, SyntheticMark } from '../storage/sqlite/SyntheticMarketStore.js';

/** What the database says about an earlier synthetic market, and when the new one starts. */
export interface SyntheticStartInput {
  readonly symbols: readonly string[];
  readonly timeframe: string;
  readonly now: Millis;
  /**
   * Bars the market may be behind the clock when it starts: a fresh database starts this many
   * bars before now (strategies warm up and trade at once), a restart catches up at most this
   * many (a longer stop leaves a hole, as a closed market would).
   */
  readonly historyBars: number;
  /** Where the last synthetic market left each symbol (its last closed bar). */
  readonly marks: readonly SyntheticMark[];
  /** The newest fill of each symbol: the resume point of a database written before marks were kept. */
  readonly lastFills: readonly LastFill[];
  /** Start price of a symbol nothing is stored for. */
  readonly defaultPrice: (symbol: string) => number;
  readonly seed: number;
}

/** Where and how the synthetic market starts. */
export interface SyntheticStart {
  /** Open time of its first bar. */
  readonly startTs: Millis;
  readonly prices: ReadonlyMap<string, number>;
  /** The seed of the walk: the configured one on a fresh database, another one per resume point after. */
  readonly seed: number;
  /** Whether anything stored was continued. */
  readonly resumed: boolean;
  /** Bars between the stored end and the first bar, left out (a stop longer than `historyBars`). */
  readonly skippedBars: number;
  /**
   * Open time the stored records asked to continue after, when that lies beyond the clock (an
   * older build's synthetic clock ran ahead of the wall clock, or the system clock went back):
   * the market starts at the clock instead, because no bar may carry a time after now.
   */
  readonly storedAheadOfClock: Millis | undefined;
}

/**
 * Plans the start of the synthetic market on an engine's database: after the last bar (and
 * the last fill) stored, from each symbol's last price, and never ahead of the clock.
 */
export function planSyntheticStart(input: SyntheticStartInput): SyntheticStart {
  const tf = timeframeToMs(input.timeframe);
  // The newest bar already closed at `now` opens one timeframe before the current period.
  const period = Math.floor(input.now / tf) * tf;
  const earliest = period - Math.max(1, Math.floor(input.historyBars)) * tf;
  const wanted = new Set(input.symbols);
  // Per symbol the newer of its mark and its last fill gives the price (an exchange run may have
  // filled after the synthetic market last ran).
  const latest = new Map<string, { at: Millis; price: number }>();
  const ends: Millis[] = [];
  const seen = (symbol: string, at: Millis, price: number): void => {
    ends.push(at);
    const had = latest.get(symbol);
    if (wanted.has(symbol) && Number.isFinite(price) && price > 0 && (had === undefined || at > had.at))
      latest.set(symbol, { at, price });
  };
  // The next bar opens at the end of the stored one, on this timeframe's grid.
  for (const m of input.marks) seen(m.symbol, Math.ceil((m.ts + markTimeframeMs(m, tf)) / tf) * tf, m.close);
  // A fill is stamped at the end of the bar it matched on: the next bar opens there, and its
  // fills come after.
  for (const f of input.lastFills) seen(f.symbol, Math.ceil(f.ts / tf) * tf, f.price);
  const prices = new Map<string, number>();
  for (const [symbol, { price }] of latest) prices.set(symbol, price);
  for (const s of input.symbols) if (!prices.has(s)) prices.set(s, input.defaultPrice(s));
  if (ends.length === 0)
    return {
      startTs: earliest,
      prices,
      seed: input.seed,
      resumed: false,
      skippedBars: 0,
      storedAheadOfClock: undefined,
    };
  const after = ends.reduce((a, b) => Math.max(a, b));
  const ahead = after > period;
  const startTs = ahead ? earliest : Math.max(after, earliest);
  return {
    startTs,
    prices,
    // The same seed from every resume point would repeat one shape after each restart.
    seed: (Math.imul(input.seed ^ Math.floor(startTs / tf), 0x9e3779b1) ^ input.seed) >>> 0,
    resumed: true,
    skippedBars: ahead ? 0 : Math.max(0, (startTs - after) / tf),
    storedAheadOfClock: ahead ? after : undefined,
  };
}

/** The stored bar's own timeframe, or the current one if it cannot be read. */
function markTimeframeMs(m: SyntheticMark, fallback: number): number {
  try {
    return timeframeToMs(m.timeframe);
  } catch {
    return fallback;
  }
}
