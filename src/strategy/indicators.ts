/**
 * The indicators a strategy may use: trading-signals' streaming indicators (typed,
 * verified against other libraries), plus our allocation-free RollingSma for hot paths.
 * Strategies import indicators from here only, so the set they depend on is one list.
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
