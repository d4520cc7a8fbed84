/**
 * The indicators a strategy may use: trading-signals' streaming indicators (typed,
 * verified against other libraries), plus our allocation-free RollingSma for hot paths.
 * Strategies import indicators from here, so the set they depend on is one list, with one
 * exception: a strategy that needs none of trading-signals' indicators imports RollingSma
 * from its own module, so that loading it (`qts backtest --strategy sma-cross`) does not load
 * trading-signals' 170 modules (about 50 ms of a cold start).
 */
export {
  SMA,
  EMA,
  DEMA,
  WMA,
  RSI,
  MACD,
  BollingerBands,
  BollingerBandsWidth,
  ATR,
  ADX,
  CCI,
  StochasticOscillator,
  ROC,
  OBV,
  MAD,
} from 'trading-signals';
export type { MACDResult } from 'trading-signals';
export { RollingSma } from './RollingSma.js';
