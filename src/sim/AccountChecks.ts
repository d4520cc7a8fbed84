import type { Fixed } from '../core/Fixed.js';
import { ZERO, add, formatFixed, fromNumber, min, mul, neg } from '../core/Fixed.js';
import type { FundsView } from '../execution/ExecutionClient.js';
import type { Instrument } from '../model/Instrument.js';
import { FeeSide, feeInBase } from '../model/Instrument.js';
import { InstrumentKind, Liquidity, OrderSide, OrderType } from '../model/enums.js';
import type { FillModel } from './FillModel.js';
import type { RestingOrder } from './RestingOrder.js';
import { SimReason } from './SimReason.js';

/** Why the venue refuses an order: a stable code and a sentence for humans. */
export interface Refusal {
  readonly code: string;
  readonly reason: string;
}

/**
 * What the venue reads of a futures account to margin a perpetual trade (the Portfolio's
 * MarginAccount): the shortfall of initial margin + fee against the available balance, or
 * undefined when the trade can be margined.
 */
export interface MarginView {
  marginShortfall(
    inst: Instrument,
    side: OrderSide,
    qty: Fixed,
    px: Fixed,
    fee: Fixed,
  ): { readonly required: Fixed; readonly available: Fixed } | undefined;
}

/**
 * The checks a real exchange makes against the account: a reduce-only order may only shrink
 * a position, and spot balances never go negative (a buy needs qty × px + fee of cash, a
 * sell needs the coins; with the fee in the base coin — see Instrument.feeSide — a buy needs
 * qty × px and a sell qty + fee of coins). Perpetuals trade on margin: with a MarginView the
 * part of a trade that opens or grows a position needs notional / leverage + fee of available
 * balance, on arrival and again at each fill; without one only the reduce-only rule applies
 * to them. The account is read live through FundsView, so a fill booked a moment ago is
 * already spent when the next order is checked.
 */
export class AccountChecks {
  constructor(
    private readonly funds: FundsView,
    private readonly model: FillModel,
    private readonly margin?: MarginView,
  ) {}

  /**
   * How much a reduce-only order may still trade: the size of the opposite position. Zero
   * or less means it would open or grow a position.
   */
  reduceOnlyRoom(o: RestingOrder): Fixed {
    const pos = this.funds.positionQty(o.symbol);
    return o.side === OrderSide.BUY ? neg(pos) : pos;
  }

  /**
   * Refusal on arrival, given the last price `ref` (if any): reduce-only in the wrong
   * direction, or a spot order the account could not pay for at the price it would likely
   * get. Funds are re-checked at every fill; this only refuses what is hopeless now.
   */
  onArrival(o: RestingOrder, ref: number | undefined): Refusal | undefined {
    const inst = o.instrument;
    let qty = o.quantity;
    if (o.order.request.reduceOnly) {
      const room = this.reduceOnlyRoom(o);
      if (room <= 0n) {
        const pos = formatFixed(this.funds.positionQty(inst.symbol));
        return {
          code: SimReason.REDUCE_ONLY,
          reason: `reduce-only ${o.side} with position ${pos} would increase it`,
        };
      }
      // A reduce-only order larger than the position is capped at fill time, not refused.
      qty = min(qty, room);
    }
    if (inst.kind === InstrumentKind.PERPETUAL) return this.marginOnArrival(o, qty, ref);
    const maker = o.order.request.type === OrderType.LIMIT && !o.takerOnArrival;
    const liquidity = maker ? Liquidity.MAKER : Liquidity.TAKER;
    const inBase = feeInBase(inst, o.side);
    if (o.side === OrderSide.SELL) {
      const held = this.funds.positionQty(inst.symbol);
      // A sell whose fee is in the base coin gives the fee on top of the quantity.
      const need = inBase ? add(qty, this.model.feeBySide(inst, true, qty, ZERO, liquidity)) : qty;
      if (need <= held) return undefined;
      return {
        code: SimReason.INSUFFICIENT_FUNDS,
        reason: `sell of ${formatFixed(qty)} ${inst.base}${inBase ? ' plus its fee' : ''} but ${formatFixed(held)} held`,
      };
    }
    const px = this.estimatedPrice(o, ref);
    if (px === undefined) return undefined;
    const notional = mul(qty, px);
    // A buy whose fee is in the base coin pays it out of the coins it receives.
    const cost = inBase ? notional : add(notional, this.buyFeeInQuote(inst, qty, notional, liquidity));
    const available = this.funds.available(inst.settle);
    if (cost <= available) return undefined;
    return {
      code: SimReason.INSUFFICIENT_FUNDS,
      reason: `buy needs ${formatFixed(cost)} ${inst.settle}, ${formatFixed(available)} available`,
    };
  }

  /**
   * Whether the account can pay for this fill (qty at notional = qty × px) right now (spot);
   * perpetuals always can. A fee in the base coin changes what is needed: a buy pays it out
   * of the coins it receives (notional of quote is enough), a sell pays it on top of the
   * coins it gives (qty + fee held). A fee in quote on a sell comes out of the proceeds.
   */
  canFill(
    inst: Instrument,
    side: OrderSide,
    qty: Fixed,
    notional: Fixed,
    fee: Fixed,
    feeCurrency: string = inst.settle,
  ): boolean {
    if (inst.kind === InstrumentKind.PERPETUAL) return true;
    const inBase = feeCurrency === inst.base;
    if (side === OrderSide.BUY)
      return (inBase ? notional : add(notional, fee)) <= this.funds.available(inst.settle);
    return (inBase ? add(qty, fee) : qty) <= this.funds.positionQty(inst.symbol);
  }

  /** A buy's fee when it is paid in quote: exact for feeSide 'quote', else rounded like the venue's fills. */
  private buyFeeInQuote(inst: Instrument, qty: Fixed, notional: Fixed, liquidity: Liquidity): Fixed {
    return inst.feeSide === FeeSide.QUOTE
      ? this.model.feeOn(inst, notional, liquidity)
      : this.model.feeBySide(inst, false, qty, notional, liquidity);
  }

  /** Perpetuals: whether this fill at `px` can be margined now (always, without a MarginView). */
  canMargin(inst: Instrument, side: OrderSide, qty: Fixed, px: Fixed, fee: Fixed): boolean {
    return this.margin?.marginShortfall(inst, side, qty, px, fee) === undefined;
  }

  /** A perpetual order whose opening part could not be margined at the price it would likely get. */
  private marginOnArrival(o: RestingOrder, qty: Fixed, ref: number | undefined): Refusal | undefined {
    if (this.margin === undefined) return undefined;
    const px = this.estimatedPrice(o, ref);
    if (px === undefined) return undefined;
    const inst = o.instrument;
    const maker = o.order.request.type === OrderType.LIMIT && !o.takerOnArrival;
    const fee = this.model.feeOn(inst, mul(qty, px), maker ? Liquidity.MAKER : Liquidity.TAKER);
    const short = this.margin.marginShortfall(inst, o.side, qty, px, fee);
    if (short === undefined) return undefined;
    return {
      code: SimReason.INSUFFICIENT_MARGIN,
      reason: `${o.side} ${formatFixed(qty)} ${inst.symbol} needs ${formatFixed(short.required)} ${inst.settle} of margin and fee, ${formatFixed(short.available)} available`,
    };
  }

  /**
   * Price a buy would likely pay: its limit, its trigger (slipped) or the last price
   * (slipped); undefined when nothing is known yet (no bar seen), then only fills are checked.
   */
  private estimatedPrice(o: RestingOrder, ref: number | undefined): Fixed | undefined {
    const tick = o.instrument.tickSize;
    switch (o.order.request.type) {
      case OrderType.LIMIT:
      case OrderType.STOP_LIMIT:
      case OrderType.TAKE_PROFIT_LIMIT:
        return o.limitPx;
      case OrderType.STOP_MARKET:
      case OrderType.TAKE_PROFIT:
        return this.model.slip(o.triggerPx, o.side, tick);
      case OrderType.TRAILING_STOP: {
        if (ref !== undefined) return this.model.slip(o.trailTrigger(ref).px, o.side, tick);
        const initial = o.order.request.triggerPrice;
        return initial === undefined ? undefined : this.model.slip(initial, o.side, tick);
      }
      case OrderType.MARKET:
        return ref === undefined ? undefined : this.model.slip(fromNumber(ref), o.side, tick);
    }
  }
}
