import type { Fixed, Numeric } from '../core/Fixed.js';
import { ZERO, floorToStep, fromNumber, toFixed, toNumber } from '../core/Fixed.js';
import { isQtsError } from '../core/QtsError.js';
import { sellableWithFee } from '../model/Instrument.js';
import type { Order } from '../model/Order.js';
import type { OrderView } from '../model/OrderView.js';
import { OrderType } from '../model/enums.js';
import type { OrderSide } from '../model/enums.js';
import { sizeOrder } from '../portfolio/Sizer.js';
import type { SizingSpec } from '../portfolio/Sizer.js';
import type { AmendOutcome, AmendTerms } from '../model/OrderAmend.js';
import { lastAmendOutcome } from '../model/OrderAmend.js';
import type {
  AmendChange,
  Bracket,
  BracketIntent,
  OrderIntent,
  OrderOptions,
} from '../strategy/StrategyContext.js';
import type { ContextHost } from './ContextHost.js';
import { toOrderRequest } from './toOrderRequest.js';

/**
 * A strategy's order verbs once it trades (NodeStrategyContext answers them itself while it
 * warms up): sizing, rounding to the lot and tick, brackets, amends and cancels, all scoped
 * to the strategy's own orders. Orders go back to the strategy as their read-only view.
 *
 * The verbs catch in place rather than through a wrapper taking a closure: they run once per
 * order, and the closure would be one more allocation on that path.
 */
export class StrategyOrders {
  private ocoSeq = 0;

  constructor(
    private readonly node: ContextHost,
    private readonly strategyId: string,
    /** This strategy's sizer (the node's default when the deployment names none). */
    private readonly sizing: SizingSpec,
  ) {}

  submitOrder(intent: OrderIntent): OrderView {
    try {
      const quantity = toFixed(intent.quantity);
      return this.node.submit(
        this.strategyId,
        toOrderRequest(
          this.node.instrument(intent.symbol),
          intent.symbol,
          intent.side,
          intent,
          quantity,
          false,
        ),
      ).view;
    } catch (e) {
      return this.invalidNumber(e, intent.symbol, intent.side);
    }
  }

  buy(symbol: string, quantity: Numeric | undefined, options: OrderOptions): OrderView {
    try {
      const qty = quantity === undefined ? this.sizedQuantity(symbol) : toFixed(quantity);
      return this.place(symbol, 'BUY', qty, options).view;
    } catch (e) {
      return this.invalidNumber(e, symbol, 'BUY');
    }
  }

  /**
   * Without a quantity, sells the whole long position: all of it, or, where the venue takes
   * the sell's fee in the base coin, what leaves the fee's coins in the account (see
   * sellableWithFee; the rest stays as dust).
   */
  sell(symbol: string, quantity: Numeric | undefined, options: OrderOptions): OrderView {
    try {
      const held = this.node.portfolio.positionQty(symbol);
      const qty =
        quantity === undefined
          ? held > 0n
            ? sellableWithFee(this.node.instrument(symbol), held)
            : ZERO
          : toFixed(quantity);
      return this.place(symbol, 'SELL', qty, options).view;
    } catch (e) {
      return this.invalidNumber(e, symbol, 'SELL');
    }
  }

  /**
   * An amount that is not a number (NaN, Infinity, "abc") is a bad order, not a crash:
   * it becomes an order denied with ERR_RISK_INVALID_NUMBER, like any other denial.
   */
  private invalidNumber(e: unknown, symbol: string, side: OrderSide): OrderView {
    if (!isQtsError(e, 'ERR_INVALID_DECIMAL')) throw e;
    const request = toOrderRequest(this.node.instrument(symbol), symbol, side, {}, ZERO, false);
    return this.node.deny(this.strategyId, request, 'ERR_RISK_INVALID_NUMBER', e.message).view;
  }

  /** Entry, then a stop-loss and a take-profit that reduce only and cancel each other. */
  bracket(intent: BracketIntent): Bracket {
    const qty = intent.quantity === undefined ? this.sizedQuantity(intent.symbol) : toFixed(intent.quantity);
    const exit: OrderSide = intent.side === 'BUY' ? 'SELL' : 'BUY';
    const entry = this.place(intent.symbol, intent.side, qty, {
      type: intent.entryPrice === undefined ? OrderType.MARKET : OrderType.LIMIT,
      ...(intent.entryPrice === undefined ? {} : { price: intent.entryPrice }),
      ...(intent.tag === undefined ? {} : { tag: intent.tag }),
    });
    this.ocoSeq += 1;
    const group = `${entry.id}-oco${this.ocoSeq}`;
    const child = { parentId: entry.id, ocoGroup: group, reduceOnly: true };
    const stopLoss = this.place(intent.symbol, exit, qty, {
      ...child,
      type: OrderType.STOP_MARKET,
      triggerPrice: intent.stopLoss,
    });
    const takeProfit = this.place(intent.symbol, exit, qty, {
      ...child,
      type: OrderType.LIMIT,
      price: intent.takeProfit,
    });
    return { entry: entry.view, stopLoss: stopLoss.view, takeProfit: takeProfit.view };
  }

  cancel(orderId: string): void {
    const order = this.node.oms.order(orderId);
    if (order && order.strategyId === this.strategyId) this.node.oms.cancel(orderId, 'canceled by strategy');
  }

  amend(orderId: string, change: AmendChange): AmendOutcome {
    const order = this.node.oms.order(orderId);
    if (order === undefined || order.strategyId !== this.strategyId)
      return {
        status: 'REJECTED',
        code: 'ERR_ORDER_NOT_FOUND',
        reason: `${this.strategyId} has no order ${orderId}`,
      };
    try {
      const terms: AmendTerms = {
        price: change.price === undefined ? undefined : toFixed(change.price),
        quantity: change.quantity === undefined ? undefined : toFixed(change.quantity),
      };
      return (
        lastAmendOutcome(this.node.amend(orderId, terms, 'amended by strategy').events) ?? {
          status: 'PENDING',
        }
      );
    } catch (e) {
      // A refused amend (bad number, closed order, venue without amend) is an answer, not a crash.
      if (!isQtsError(e)) throw e;
      return { status: 'REJECTED', code: e.code, reason: e.message };
    }
  }

  cancelAll(symbol: string | undefined): void {
    for (const o of this.node.oms.openOrders(symbol, this.strategyId))
      this.node.oms.cancel(o.id, 'canceled by strategy');
  }

  /**
   * Flattens a position with a reduce-only order of `qty` on `side`, tagged `close`
   * (NodeStrategyContext.closePosition works both out from the position).
   */
  closePosition(symbol: string, side: OrderSide, qty: Fixed): OrderView {
    return this.place(symbol, side, qty, { reduceOnly: true, tag: 'close' }).view;
  }

  /**
   * The quantity keeps its sign: a negative one is denied by risk (ERR_RISK_QUANTITY) like any
   * order of no size, never turned around — `buy(s, target − held)` with too much held must not
   * buy more (the side says the direction; closePosition works out a positive quantity).
   */
  private place(symbol: string, side: OrderSide, qty: Fixed, options: OrderOptions): Order {
    const inst = this.node.instrument(symbol);
    const rounded = floorToStep(qty, inst.lotSize);
    return this.node.submit(this.strategyId, toOrderRequest(inst, symbol, side, options, rounded, true));
  }

  private sizedQuantity(symbol: string): Fixed {
    const last = this.node.lastPrice(symbol);
    if (last === undefined) return ZERO;
    const inst = this.node.instrument(symbol);
    const slipped = this.node.sizingPrice;
    const price = slipped === undefined || !(last > 0) ? last : toNumber(slipped(inst, fromNumber(last)));
    const portfolio = this.node.portfolio;
    // Two literals rather than a spread of an optional field: a spot buy (every buy of a spot
    // backtest) then allocates one object, of one shape, with no spread of an empty one.
    if (inst.kind !== 'PERPETUAL')
      return sizeOrder(this.sizing, {
        instrument: inst,
        price,
        cash: portfolio.cash(inst.settle),
        equity: portfolio.equity(),
      });
    // Perpetuals are sized on margin: what is free of it, at the symbol's leverage.
    const margin = portfolio.margin;
    return sizeOrder(this.sizing, {
      instrument: inst,
      price,
      cash: margin.availableBalance(inst.settle),
      equity: portfolio.equity(),
      leverage: margin.settings(symbol).leverage,
    });
  }
}
