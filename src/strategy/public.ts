/**
 * What a strategy written outside this repository imports, as
 * `import { Strategy, z } from 'quant-trading-system/strategy'`: the Strategy base class, the
 * types of its context and of what it receives, the helpers the built-ins use, exact amounts,
 * and zod for its parameter schema (so a strategy file needs no package of its own). `qts` maps
 * that specifier to this very module, wherever the file is: its Strategy is the engine's, not a
 * copy. trading-signals' indicators are apart, in 'quant-trading-system/indicators'
 * (indicators.ts), so a strategy that uses none does not load them (about 50 ms of a start).
 */
export { z } from 'zod';
export type { AnyStrategyClass, StrategyClass } from './Strategy.js';
export { Strategy } from './Strategy.js';
export type {
  AmendChange,
  Bracket,
  BracketIntent,
  OrderIntent,
  OrderOptions,
  PortfolioView,
  PositionView,
  StrategyContext,
  StrategyLogger,
  StrategyStateStore,
} from './StrategyContext.js';
export { CrossOver } from './CrossOver.js';
export { CrossSection } from './CrossSection.js';
export type { CrossSectionOptions, CrossSectionSnapshot } from './CrossSection.js';
export { TimedCrossSection } from './TimedCrossSection.js';
export { PerSymbol } from './PerSymbol.js';
export { RollingSma } from './RollingSma.js';
export { RollingWindow } from './RollingWindow.js';
export { SignalWeights } from './SignalWeights.js';
export { crossSignal, followLongFlat } from './followLongFlat.js';
export { investFractionParam } from './investFractionParam.js';
export { MIN_TIMER_INTERVAL_MS } from './timerInterval.js';
export { adfNoConstant, egCriticalValue, engleGranger } from './engleGranger.js';
export { correlation, crossSectionalZ, mean, ols, rankDescending, stdev, zScore } from './statistics.js';
export type { Bar, Trade } from '../model/Bar.js';
export type { Instrument } from '../model/Instrument.js';
export { sellableWithFee } from '../model/Instrument.js';
export type { OrderView } from '../model/OrderView.js';
/**
 * What a strategy is handed of an order is an OrderView; `Order` names the same read-only type
 * here, so a strategy that annotates `onOrderUpdate(order: Order, …)` cannot write to it either.
 */
export type { OrderView as Order } from '../model/OrderView.js';
export { feesPaidIn } from '../model/Order.js';
export type { OrderEvent, OrderFilled } from '../model/events.js';
export type { FundingSettled, PositionLiquidated } from '../model/futuresEvents.js';
export { OrderSide, OrderStatus, OrderType, TimeInForce } from '../model/enums.js';
export type { Fixed, Numeric } from '../core/Fixed.js';
export { ZERO, add, div, floorToStep, fromNumber, mul, sub, toFixed, toNumber } from '../core/Fixed.js';
export { timeframeToMs } from '../core/time.js';
