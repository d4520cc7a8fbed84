import { Rng } from '../core/Rng.js';
import type { BarSeries } from '../model/BarSeries.js';
import { allocBarSeries } from '../model/BarSeries.js';
import { checkedTimeframeMs } from './checkedTimeframeMs.js';

/** Options of randomWalkSeries. */
export interface RandomWalkOptions {
  readonly symbol: string;
  readonly timeframe: string;
  readonly length: number;
  readonly seed: number;
  /** Open time of the first bar, epoch ms; default 2020-01-01T00:00:00Z. */
  readonly start?: number;
  /** Open of the first bar; default 100. */
  readonly startPrice?: number;
  /** Standard deviation of each bar's log return; default 0.01. */
  readonly volatility?: number;
}

const DEFAULT_START = Date.UTC(2020, 0, 1);
const TWO_PI = 2 * Math.PI;
const BASE_VOLUME = 1000;

/**
 * A seeded geometric random walk of candles, for tests, benchmarks and synthetic feeds:
 * the same options give the same series bit for bit. Each bar opens at the previous close
 * (no overnight jumps), closes at open·exp(σ·z) with z standard normal, and has wicks
 * beyond max/min(open, close) of exponentially distributed size (mean σ/2 in log terms),
 * so high ≥ max(open, close) ≥ min(open, close) ≥ low > 0 always holds. Volume is
 * log-normal around 1000. There is no drift and no mean reversion: over n bars the log
 * price wanders about σ·√n, so choose σ for the length you ask for.
 */
export function randomWalkSeries(opts: RandomWalkOptions): BarSeries {
  const { symbol, timeframe, length, seed } = opts;
  const tfMs = checkedTimeframeMs(timeframe);
  const start = opts.start ?? DEFAULT_START;
  const sigma = opts.volatility ?? 0.01;
  let price = opts.startPrice ?? 100;
  if (!Number.isSafeInteger(length) || length < 0)
    throw new RangeError(`length must be a whole number, got ${length}`);
  if (!(price > 0) || !Number.isFinite(price))
    throw new RangeError(`startPrice must be positive, got ${price}`);
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new RangeError(`volatility must be ≥ 0, got ${sigma}`);

  const s = allocBarSeries(symbol, timeframe, length);
  const { ts, open, high, low, close, volume } = s;
  const rng = new Rng(seed);
  const halfSigma = sigma / 2;
  for (let i = 0; i < length; i++) {
    // Box-Muller by hand rather than rng.normal(): both outputs of a pair are used (return
    // and volume), halving the logs and square roots on a 10-million-bar build.
    const r = Math.sqrt(-2 * Math.log(1 - rng.next()));
    const theta = TWO_PI * rng.next();
    const o = price;
    const c = o * Math.exp(sigma * r * Math.cos(theta));
    // exp(x ≥ 0) ≥ 1 and IEEE multiplication is monotonic, so the wicks can never cross
    // the body, even after rounding.
    const up = Math.exp(-halfSigma * Math.log(1 - rng.next()));
    const down = Math.exp(halfSigma * Math.log(1 - rng.next()));
    ts[i] = start + i * tfMs;
    open[i] = o;
    close[i] = c;
    high[i] = (o > c ? o : c) * up;
    low[i] = (o < c ? o : c) * down;
    volume[i] = BASE_VOLUME * Math.exp(0.5 * r * Math.sin(theta));
    price = c;
  }
  return s;
}
