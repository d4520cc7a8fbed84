import type { Logger } from 'pino';
import type { AppConfig } from '../config/configSchema.js';
import { toFixed } from '../core/Fixed.js';
import { ORDER_ID_PREFIX } from '../core/ids.js';
import type { Millis } from '../core/time.js';
import type { LiveClock } from '../kernel/LiveClock.js';
import type { StrategyFailure } from '../node/TradingNode.js';
import { TradingNode } from '../node/TradingNode.js';
import { parseSizing } from '../portfolio/Sizer.js';
import { OrderIdReservations } from '../storage/sqlite/OrderIdReservations.js';
import type { OrderStore } from '../storage/sqlite/OrderStore.js';
import { SqliteStrategyStateStore } from '../storage/sqlite/SqliteStrategyStateStore.js';
import type { SqliteDatabase } from '../storage/sqlite/openDatabase.js';
import { faultReportingJournal } from './faultReportingJournal.js';
import type { MarketDataChoice } from './selectMarketData.js';

/**
 * The trading node of a shadow or live engine: the instruments the market data chose, the
 * configured risk limits, the cash of the last saved ledger (the configured initial cash on a
 * first start), orders journaled to SQLite and ids that continue where the last run stopped,
 * so a restart never reuses a client order id. A strategy whose handler throws is quarantined
 * and told to `onStrategyFailure`; the engine goes on. A failure of the engine's own storage
 * under a strategy's call goes to `onEngineFault` instead, and so does every order event the
 * journal could not write, whoever sent the order and whatever its sender does with the error.
 */
export function runtimeNode(
  config: AppConfig,
  clock: LiveClock,
  market: MarketDataChoice,
  savedCash: Readonly<Record<string, string>> | undefined,
  db: SqliteDatabase,
  orders: OrderStore,
  log: Logger,
  lastDataAt: (symbol: string) => Millis | undefined,
  onStrategyFailure: (failure: StrategyFailure) => void,
  onEngineFault: (err: unknown, what: string) => void,
): TradingNode {
  const currency = config.account.currency;
  const risk = config.risk;
  const ids = new OrderIdReservations(db);
  return new TradingNode({
    clock,
    // Replayed history: strategies and their timers in bar time, as in a backtest.
    ...(market.replayClock === undefined ? {} : { strategyClock: market.replayClock }),
    instruments: market.instruments,
    currency,
    initialCash: savedCash ?? { [currency]: config.account.initialCash },
    sizing: parseSizing('percent:10', toFixed('0.00000001')),
    riskLimits: {
      maxOrderNotional: risk.maxOrderNotional,
      maxOpenOrders: risk.maxOpenOrders,
      priceBandPct: risk.priceBandPct,
      maxPositionNotional: risk.maxPositionNotional,
      maxTotalExposure: risk.maxTotalExposure,
      maxOrdersPerMinute: risk.maxOrdersPerMinute,
      staleDataMs: risk.staleDataMs,
    },
    lastDataAt,
    journal: faultReportingJournal(orders.journal, onEngineFault),
    stateStore: (id) => new SqliteStrategyStateStore(db, id),
    logSink: (level, strategyId, msg, data) => log[level]({ strategyId, ...data }, msg),
    // The ids reconciliation recognises as ours (isOurClientId) are made with this prefix.
    orderIdPrefix: ORDER_ID_PREFIX,
    // After a power cut the journal may lack its last orders, never the reservation beyond them.
    orderIdsUsed: Math.max(orders.lastSequence(ORDER_ID_PREFIX), ids.reservedTo(ORDER_ID_PREFIX)),
    reserveOrderIds: (seq) => ids.reserve(ORDER_ID_PREFIX, seq),
    onStrategyFailure,
    onEngineFault,
  });
}
