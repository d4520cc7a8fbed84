import type { Fixed } from '../core/Fixed.js';
import type { Instrument } from '../model/Instrument.js';
import type { Order } from '../model/Order.js';
import type { OrderRequest } from '../model/OrderRequest.js';
import type { AmendTerms } from '../model/OrderAmend.js';
import type { MessageBus } from '../kernel/MessageBus.js';
import type { Clock } from '../kernel/Clock.js';
import type { DataEngine } from '../data/DataEngine.js';
import type { ExecutionEngine } from '../execution/ExecutionEngine.js';
import type { Portfolio } from '../portfolio/Portfolio.js';
import type { SizingSpec } from '../portfolio/Sizer.js';

/** What a strategy context needs of its engine (the TradingNode provides it). */
export interface ContextHost {
  readonly bus: MessageBus;
  readonly clock: Clock;
  /** The clock of strategies and their timers, when not `clock` (see TradingNodeOptions). */
  readonly strategyClock?: Clock;
  readonly data: DataEngine;
  readonly oms: ExecutionEngine;
  readonly portfolio: Portfolio;
  readonly sizing: SizingSpec;
  /** The price a market buy would pay at the venue, when not the last price (see TradingNodeOptions). */
  readonly sizingPrice: ((instrument: Instrument, price: Fixed) => Fixed) | undefined;
  instrument(symbol: string): Instrument;
  lastPrice(symbol: string): number | undefined;
  /** Perpetuals: mark price (the last price when no mark is known). */
  markPrice(symbol: string): number | undefined;
  /** Perpetuals: last settled funding rate. */
  fundingRate(symbol: string): number | undefined;
  submit(strategyId: string, request: OrderRequest): Order;
  deny(strategyId: string, request: OrderRequest, code: string, reason: string): Order;
  amend(orderId: string, terms: AmendTerms, reason: string): Order;
}
