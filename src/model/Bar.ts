import type { Millis } from '../core/time.js';

/**
 * An OHLCV candle. Market data is float64 (it is measured, not owed); it becomes exact
 * only where it touches money. `ts` is the candle's open time, as exchanges publish it;
 * the bar is known once its period has ended, at `ts + timeframeMs`.
 */
export interface Bar {
  readonly symbol: string;
  readonly timeframe: string;
  readonly ts: Millis;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
  /** False while the candle is still forming (live updates); closed bars arrive once. */
  readonly closed: boolean;
}

/** A public trade print. */
export interface Trade {
  readonly symbol: string;
  readonly ts: Millis;
  readonly id: string;
  readonly price: number;
  readonly amount: number;
  /** Taker side: a BUY print lifted the ask. */
  readonly side: 'BUY' | 'SELL';
}
