import type { Bar } from '../../../src/model/Bar.js';

export const MIN = 60_000;

/** The i-th closed BTC/USDT 1m bar, opening and closing at `close`, a point either side. */
export function flatBar(i: number, close: number): Bar {
  return {
    symbol: 'BTC/USDT',
    timeframe: '1m',
    ts: i * MIN,
    open: close,
    high: close + 1,
    low: close - 1,
    close,
    volume: 1_000,
    closed: true,
  };
}
