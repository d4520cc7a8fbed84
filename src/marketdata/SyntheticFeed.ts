import { Rng } from '../core/Rng.js';
import type { Millis } from '../core/time.js';
import { timeframeToMs } from '../core/time.js';
import type { Clock } from '../kernel/Clock.js';
import type { Bar } from '../model/Bar.js';
import type { BarSink } from './ReplayFeed.js';

export interface SyntheticMarket {
  readonly symbol: string;
  /** Close the walk starts from: a default on a fresh database, else where the last run left it. */
  readonly startPrice: number;
}

/** How a synthetic market is built. */
export interface SyntheticFeedOptions {
  readonly markets: readonly SyntheticMarket[];
  readonly timeframe: string;
  readonly sink: BarSink;
  /** Decides when a bar has closed; its timers pace the feed. */
  readonly clock: Clock;
  /** Pace while the market is behind the clock (bars per second per symbol). */
  readonly barsPerSecond: number;
  readonly seed: number;
  /** Open time of the first bar, rounded up to the timeframe grid. */
  readonly startTs: Millis;
  readonly volatility?: number;
  /** While a bar forms, its update is sent this often (the market data stays fresh). */
  readonly formingEveryMs?: number;
}

/** One bar's random walk: four sub-step prices and its volume, drawn when the bar opens. */
interface Path {
  readonly steps: readonly number[];
  readonly volume: number;
}

const SUB_STEPS = 4;
const DEFAULT_FORMING_EVERY_MS = 5_000;
const TIMER = 'market-data:synthetic';

/**
 * A seeded random-walk market, the last fallback of shadow mode (no exchange, no history
 * files): the system still runs end to end on a fresh machine without internet. The status
 * says SYNTHETIC. The same seed and start give the same market.
 *
 * Bar times follow the clock like an exchange's: a bar is delivered closed only once the clock
 * has passed its end, so no bar (and no fill matched on it) ever carries a time after now.
 * A market that starts behind the clock (`startTs` in the past) delivers the bars already due
 * at `barsPerSecond`, then one bar per timeframe as each closes, with updates of the forming
 * bar every `formingEveryMs` in between.
 */
export class SyntheticFeed {
  readonly kind = 'synthetic' as const;
  readonly name: string;
  private readonly markets: readonly SyntheticMarket[];
  private readonly timeframe: string;
  private readonly sink: BarSink;
  private readonly clock: Clock;
  private readonly paceMs: number;
  private readonly formingEveryMs: number;
  private readonly volatility: number;
  private readonly rng: Rng;
  private readonly tfMs: number;
  private readonly prices: number[];
  /** Open time of the bar forming now (the next one delivered closed). */
  private ts: Millis;
  private paths: Path[] | undefined;
  private running = false;

  constructor(opts: SyntheticFeedOptions) {
    this.markets = opts.markets;
    this.timeframe = opts.timeframe;
    this.sink = opts.sink;
    this.clock = opts.clock;
    this.paceMs = 1000 / opts.barsPerSecond;
    this.formingEveryMs = opts.formingEveryMs ?? DEFAULT_FORMING_EVERY_MS;
    this.volatility = opts.volatility ?? 0.002;
    this.rng = new Rng(opts.seed);
    this.tfMs = timeframeToMs(opts.timeframe);
    this.ts = Math.ceil(opts.startTs / this.tfMs) * this.tfMs;
    this.prices = opts.markets.map((m) => m.startPrice);
    this.name = `synthetic market (seed ${opts.seed}) for ${opts.markets.map((m) => m.symbol).join(', ')}`;
  }

  /** Open time of the next bar to close. */
  get nextBarTs(): Millis {
    return this.ts;
  }

  /** True once every bar due by the clock has been delivered (the feed runs at the clock's pace). */
  caughtUp(): boolean {
    return this.ts + this.tfMs > this.clock.now();
  }

  /**
   * Delivers what is due at the clock's time: the next closed bar of every symbol when its end
   * has passed, else (once it has opened) the forming bar as far as it got.
   */
  tick(): void {
    const now = this.clock.now();
    if (this.ts + this.tfMs <= now) this.closeBar();
    else if (this.ts <= now) this.formingBar(now);
  }

  start(): Promise<void> {
    this.running = true;
    this.schedule();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.running = false;
    this.clock.cancelTimer(TIMER);
    return Promise.resolve();
  }

  /** Behind the clock: the next bar at the configured pace; caught up: at its close, forming updates until then. */
  private schedule(): void {
    if (!this.running) return;
    const now = this.clock.now();
    const end = this.ts + this.tfMs;
    const at = end <= now ? now + this.paceMs : Math.min(end, Math.max(now, this.ts) + this.formingEveryMs);
    this.clock.setAlarm(TIMER, at, () => {
      this.tick();
      this.schedule();
    });
  }

  private closeBar(): void {
    const paths = this.pathsOfBar();
    for (let k = 0; k < this.markets.length; k++) {
      const path = paths[k] as Path;
      const bar = this.barOf(k, path, SUB_STEPS, path.volume, true);
      this.prices[k] = bar.close;
      this.sink.onBar(bar);
    }
    this.paths = undefined;
    this.ts += this.tfMs;
  }

  /** The bar as it stands `now`: the sub-steps already walked, the volume traded so far. */
  private formingBar(now: Millis): void {
    const paths = this.pathsOfBar();
    const elapsed = (now - this.ts) / this.tfMs;
    const steps = Math.min(SUB_STEPS - 1, Math.floor(elapsed * SUB_STEPS));
    for (let k = 0; k < this.markets.length; k++) {
      const path = paths[k] as Path;
      this.sink.onBar(this.barOf(k, path, steps, round(path.volume * elapsed), false));
    }
  }

  private barOf(k: number, path: Path, steps: number, volume: number, closed: boolean): Bar {
    const open = this.prices[k] as number;
    let high = open;
    let low = open;
    let close = open;
    for (let j = 0; j < steps; j++) {
      const p = path.steps[j] as number;
      high = Math.max(high, p);
      low = Math.min(low, p);
      close = p;
    }
    close = round(close);
    return {
      symbol: (this.markets[k] as SyntheticMarket).symbol,
      timeframe: this.timeframe,
      ts: this.ts,
      open,
      high: Math.max(round(high), open, close),
      low: Math.min(round(low), open, close),
      close,
      volume,
      closed,
    };
  }

  /** The walk of the forming bar, drawn once per bar in symbol order: the seed decides the market. */
  private pathsOfBar(): Path[] {
    if (this.paths !== undefined) return this.paths;
    this.paths = this.markets.map((_, k) => {
      let price = this.prices[k] as number;
      const steps: number[] = [];
      for (let j = 0; j < SUB_STEPS; j++) {
        price *= Math.exp(this.volatility * 0.5 * this.rng.normal());
        steps.push(price);
      }
      return { steps, volume: round(10 + 90 * this.rng.next()) };
    });
    return this.paths;
  }
}

/** Prices on a 0.01 grid, like a real quote. */
function round(x: number): number {
  return Math.round(x * 100) / 100;
}
