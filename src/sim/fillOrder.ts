import type { Fixed } from '../core/Fixed.js';
import { ZERO, add, max, min, mul, sub } from '../core/Fixed.js';
import { Liquidity, OrderSide, TimeInForce } from '../model/enums.js';
import { FeeSide, feeInBase } from '../model/Instrument.js';
import type { AccountChecks } from './AccountChecks.js';
import type { ContingentOrders } from './ContingentOrders.js';
import type { FillModel } from './FillModel.js';
import type { MatchPass } from './MatchPass.js';
import type { PricedEvent } from './MatchEvent.js';
import type { RestingOrder } from './RestingOrder.js';
import { SimReason } from './SimReason.js';
import type { VenueReports } from './VenueReports.js';

/** What a fill consults and changes: prices and fees, the account, the tied orders, the reports. */
export interface FillDesk {
  readonly model: FillModel;
  readonly checks: AccountChecks;
  readonly contingent: ContingentOrders;
  readonly reports: VenueReports;
}

/**
 * One fill attempt of `o` at the event's price, with every check a real exchange makes at
 * that moment: post-only, volume share, reduce-only, FOK, funds. Venue state is updated
 * before the report goes out, so a strategy reacting inside the sink sees a consistent venue.
 * `takerStart`: a fill at the walk's entry point takes liquidity (see Cursor).
 */
export function fillOrder(
  desk: FillDesk,
  o: RestingOrder,
  ev: PricedEvent,
  pass: MatchPass,
  takerStart: boolean,
): void {
  const { model, checks, contingent } = desk;
  const path = o.cursor?.path;
  o.leave(ev.t);
  const inst = o.instrument;
  // The bar's open time, or the order's arrival when it reached the venue inside the bar.
  const ts = o.arrival > pass.ts ? o.arrival : pass.ts;
  const liquidity = o.marketLike || (ev.atStart && takerStart) ? Liquidity.TAKER : Liquidity.MAKER;
  if (!o.marketLike && liquidity === Liquidity.TAKER && o.order.request.postOnly) {
    contingent.close(o, ts, SimReason.POST_ONLY_WOULD_TAKE);
    return;
  }
  const px = takerPrice(model, o, ev.px, liquidity);

  if (o.filledInBarEpoch !== pass.epoch) {
    o.filledInBarEpoch = pass.epoch;
    o.filledInBar = ZERO;
  }
  let qty = o.allowance();
  const cap = model.volumeCap(pass.volume, inst.lotSize);
  if (cap !== undefined) qty = min(qty, sub(cap, o.filledInBar));
  if (qty <= 0n) {
    // The bar's volume is used up: a GTC order waits for the next bar, an IOC/FOK is done.
    if (o.immediateOnly) contingent.close(o, ts, expireReason(o));
    return;
  }
  let reduceCapped = false;
  if (o.order.request.reduceOnly) {
    const room = checks.reduceOnlyRoom(o);
    if (room <= 0n) {
      contingent.close(o, ts, SimReason.REDUCE_ONLY);
      return;
    }
    if (room < qty) {
      // Never flip the position: fill what closes it, cancel the rest.
      qty = room;
      reduceCapped = true;
    }
  }
  if (o.timeInForce === TimeInForce.FOK && qty < o.leaves) {
    contingent.close(o, ts, SimReason.FOK_NOT_FILLABLE);
    return;
  }
  const notional = mul(qty, px);
  let fee: Fixed;
  let feeCurrency = inst.settle;
  if (inst.feeSide === FeeSide.QUOTE) fee = model.feeOn(inst, notional, liquidity);
  else {
    // Binance-like spot: the fee is taken from the currency the feeSide names.
    const inBase = feeInBase(inst, o.side);
    if (inBase) feeCurrency = inst.base;
    fee = model.feeBySide(inst, inBase, qty, notional, liquidity);
  }
  if (!checks.canFill(inst, o.side, qty, notional, fee, feeCurrency)) {
    contingent.close(o, ts, SimReason.INSUFFICIENT_FUNDS);
    return;
  }
  if (inst.kind === 'PERPETUAL' && !checks.canMargin(inst, o.side, qty, px, fee)) {
    contingent.close(o, ts, SimReason.INSUFFICIENT_MARGIN);
    return;
  }

  o.filled = add(o.filled, qty);
  o.filledInBar = add(o.filledInBar, qty);
  const done = o.filled >= o.quantity;
  if (done) contingent.detach(o);
  desk.reports.filled(o, qty, px, fee, feeCurrency, liquidity, ts);
  const group = o.order.request.ocoGroup;
  if (group !== undefined) contingent.fireOco(group, o, ts);
  else contingent.shareLegFill(o, ts);
  if (path !== undefined) contingent.activateChildren(o, pass, path, ev);
  if (done) {
    contingent.settleChildren(o, ts);
  } else if (!o.closed) {
    if (o.immediateOnly) contingent.close(o, ts, SimReason.IOC_REMAINDER);
    else if (reduceCapped) contingent.close(o, ts, SimReason.REDUCE_ONLY);
    else if (o.parent?.closed === true && o.allowance() <= 0n)
      // Nothing left to close: a sibling leg closed the rest of what the parent filled, or
      // the parent filled less than this order asks.
      contingent.close(
        o,
        ts,
        o.filled < o.parent.filled ? SimReason.OCO_SIBLING_FILLED : SimReason.PARENT_FILLED_LESS,
      );
  }
}

/**
 * The price of a fill: a taker crosses the spread (the slippage), whether it sent a market
 * order or a limit that crossed, but a limit never pays beyond its price. A maker gets its
 * price.
 */
function takerPrice(model: FillModel, o: RestingOrder, px: Fixed, liquidity: Liquidity): Fixed {
  if (liquidity === Liquidity.MAKER) return px;
  const slipped = model.slip(px, o.side, o.instrument.tickSize);
  if (o.marketLike) return slipped;
  return o.side === OrderSide.BUY ? min(slipped, o.limitPx) : max(slipped, o.limitPx);
}

/** Why an IOC/FOK order ends without filling everything on arrival. */
export function expireReason(o: RestingOrder): SimReason {
  return o.timeInForce === TimeInForce.FOK ? SimReason.FOK_NOT_FILLABLE : SimReason.IOC_REMAINDER;
}
