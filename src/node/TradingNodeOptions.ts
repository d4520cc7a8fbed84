import type { Fixed, Numeric } from '../core/Fixed.js';
import type { OrderJournal } from '../execution/OrderJournal.js';
import type { Clock } from '../kernel/Clock.js';
import type { Instrument } from '../model/Instrument.js';
import type { SizingSpec } from '../portfolio/Sizer.js';
import type { RiskLimits } from '../risk/preTradeRules.js';
import type { StrategyStateStore } from '../strategy/StrategyContext.js';
import type { StrategyLogSink } from './StrategyLogSink.js';
import type { StrategyFailure } from './strategyFailed.js';

/** What a TradingNode is built from: its clock, instruments, account and the hooks of its mode. */
export interface TradingNodeOptions {
  readonly clock: Clock;
  /**
   * The clock strategies read (`ctx.clock`) and their timers run on, when not `clock`: shadow
   * mode on replayed history runs them in bar time (ReplayClock), as a backtest does.
   */
  readonly strategyClock?: Clock;
  readonly instruments: readonly Instrument[];
  /** Account currency: every instrument must settle in it. */
  readonly currency: string;
  readonly initialCash: Readonly<Record<string, Numeric>>;
  readonly sizing: SizingSpec;
  /**
   * What a market buy of `price` would pay at the venue, when it pays more than the price (the
   * simulated venue's slippage): sizing divides the cash by it, so an all-in buy still fits.
   */
  readonly sizingPrice?: (instrument: Instrument, price: Fixed) => Fixed;
  readonly riskLimits?: RiskLimits;
  /** When market data of a symbol last arrived (engine time), for the stale-data rule. */
  readonly lastDataAt?: (symbol: string) => number | undefined;
  /** Client order id prefix (≤12 alphanumerics). */
  readonly orderIdPrefix?: string;
  /** Client order ids already used (restart): numbering resumes after them, never reuses one. */
  readonly orderIdsUsed?: number;
  /**
   * Promises order id sequences durably before they are used: called with the first sequence
   * beyond the last promise, returns the new bound (IdGenerator.bound). Shadow and live pass
   * OrderIdReservations; backtests need none.
   */
  readonly reserveOrderIds?: (seq: number) => number;
  readonly journal?: OrderJournal;
  readonly logSink?: StrategyLogSink;
  readonly stateStore?: (strategyId: string) => StrategyStateStore;
  /**
   * Closed orders the OMS keeps in memory for lookups (at least; default 1024). Backtests
   * keep fewer: with no journal behind them, orders kept past their use only survive
   * collections and slow long runs.
   */
  readonly closedOrderMemory?: number;
  /**
   * A long-running engine (shadow, live) keeps going when a strategy's handler throws: the
   * instance is quarantined (StrategyRegistry.fail) and this is told, once per instance.
   * Absent (backtests), the exception ends the run as ERR_STRATEGY_FAILED.
   */
  readonly onStrategyFailure?: (failure: StrategyFailure) => void;
  /**
   * With `onStrategyFailure`: told when a handler threw a failure of the engine itself (a
   * storage error such as an order the journal could not write), which halts trading rather
   * than quarantine the strategy (StrategyRegistry.fail, the runtime's EngineFaults).
   */
  readonly onEngineFault?: (err: unknown, what: string) => void;
}
