import type { Numeric } from '../core/Fixed.js';
import { ZERO, abs, toFixed } from '../core/Fixed.js';
import { isQtsError } from '../core/QtsError.js';
import { Order } from '../model/Order.js';
import type { OrderView } from '../model/OrderView.js';
import type { OrderRequest } from '../model/OrderRequest.js';
import type { AmendOutcome } from '../model/OrderAmend.js';
import { OrderType } from '../model/enums.js';
import type { OrderSide } from '../model/enums.js';
import type { Bracket, BracketIntent, OrderOptions } from '../strategy/StrategyContext.js';
import type { ContextHost } from './ContextHost.js';
import { toOrderRequest } from './toOrderRequest.js';

/** Reason code of an order a strategy asked for while warming up: refused, never sent or journaled. */
export const ERR_WARMING_UP = 'ERR_WARMING_UP';

/**
 * The answers a warming-up strategy gets to its order verbs. Warm-up bars are history: what
 * the strategy would have ordered on them never happened, so each order is refused on the
 * spot, yet the strategy still gets an order back, just as it would from a risk denial.
 */
export class WarmUpRefusals {
  private refused = 0;

  constructor(
    private readonly node: ContextHost,
    private readonly strategyId: string,
  ) {}

  /**
   * An order asked for during warm-up: DENIED with ERR_WARMING_UP, built here and never
   * handed to the OMS, so it takes no client order id, reaches no venue, journal or
   * subscriber, and counts against no risk limit. Its id is local to this strategy.
   */
  order(symbol: string, side: OrderSide, options: OrderOptions, quantity: Numeric | undefined): OrderView {
    let qty = ZERO;
    try {
      if (quantity !== undefined) qty = abs(toFixed(quantity));
    } catch (e) {
      if (!isQtsError(e, 'ERR_INVALID_DECIMAL')) throw e;
    }
    let request: OrderRequest;
    try {
      request = toOrderRequest(this.node.instrument(symbol), symbol, side, options, qty, false);
    } catch (e) {
      // A bad price is refused for warming up all the same: the code that matters now.
      if (!isQtsError(e, 'ERR_INVALID_DECIMAL')) throw e;
      request = toOrderRequest(this.node.instrument(symbol), symbol, side, {}, qty, false);
    }
    this.refused += 1;
    const now = this.node.clock.now();
    const order = new Order(`${this.strategyId}-warmup-${this.refused}`, this.strategyId, request, now);
    const about = { orderId: order.id, strategyId: this.strategyId, symbol, ts: now };
    // Frozen as the OMS freezes the events it records: the strategy reads them in order.events.
    order.apply(
      Object.freeze({
        type: 'OrderInitialized',
        request: Object.freeze(request),
        ...about,
        eventId: `${order.id}-0`,
      }),
    );
    order.apply(
      Object.freeze({
        type: 'OrderDenied',
        code: ERR_WARMING_UP,
        reason: `${this.strategyId} is warming up on history: orders go out from the first live bar`,
        ...about,
        eventId: `${order.id}-1`,
      }),
    );
    return order.view;
  }

  /** A bracket asked for during warm-up: its entry and both exits, each refused as above. */
  bracket(intent: BracketIntent): Bracket {
    const exitSide: OrderSide = intent.side === 'BUY' ? 'SELL' : 'BUY';
    return {
      entry: this.order(intent.symbol, intent.side, { price: intent.entryPrice }, intent.quantity),
      stopLoss: this.order(
        intent.symbol,
        exitSide,
        { type: OrderType.STOP_MARKET, triggerPrice: intent.stopLoss, reduceOnly: true },
        intent.quantity,
      ),
      takeProfit: this.order(
        intent.symbol,
        exitSide,
        { type: OrderType.LIMIT, price: intent.takeProfit, reduceOnly: true },
        intent.quantity,
      ),
    };
  }

  /** An amend asked for during warm-up: there is no live order to change. */
  amend(): AmendOutcome {
    return { status: 'REJECTED', code: ERR_WARMING_UP, reason: `${this.strategyId} is warming up` };
  }
}
