import { formatFixed } from '../core/Fixed.js';
import type { Millis } from '../core/time.js';
import type { Instrument } from '../model/Instrument.js';
import type { Order } from '../model/Order.js';
import type { AccountChecks, Refusal } from './AccountChecks.js';
import type { FillModel } from './FillModel.js';
import { RestingOrder } from './RestingOrder.js';
import { SimReason } from './SimReason.js';
import { validateRequest } from './validateRequest.js';
import type { VenueBooks } from './VenueBooks.js';

/** What the venue's front desk consults to take an order in. */
export interface AdmissionDesk {
  /** Venue name, in refusal reasons. */
  readonly venue: string;
  /** Instrument of a symbol; throws for a symbol the venue does not list. */
  readonly instrumentOf: (symbol: string) => Instrument;
  readonly books: VenueBooks;
  readonly model: FillModel;
  readonly checks: AccountChecks;
}

/**
 * The venue's view of a new order (to rest as number `seq`), or why it refuses it: unknown
 * symbol, malformed request, unknown bracket parent, a post-only limit that would take, or
 * the account checks. A bracket child skips the reduce-only and funds checks here: before its
 * parent fills there is no position to reduce and nothing to sell, and that is expected (its
 * fills are checked like any other).
 */
export function admitOrder(
  desk: AdmissionDesk,
  order: Order,
  seq: number,
  now: Millis,
): RestingOrder | Refusal {
  const req = order.request;
  let instrument: Instrument;
  try {
    instrument = desk.instrumentOf(req.symbol);
  } catch {
    return { code: SimReason.UNKNOWN_INSTRUMENT, reason: `${desk.venue} does not list ${req.symbol}` };
  }
  const invalid = validateRequest(req, order.id);
  if (invalid !== undefined) return { code: SimReason.INVALID_ORDER, reason: invalid };
  let parent: RestingOrder | undefined;
  if (req.parentId !== undefined) {
    parent = desk.books.recent(req.parentId);
    if (parent === undefined) {
      return {
        code: SimReason.UNKNOWN_PARENT,
        reason: `parent ${req.parentId} is unknown to ${desk.venue}`,
      };
    }
    if (parent.symbol !== req.symbol) {
      return {
        code: SimReason.INVALID_ORDER,
        reason: `a bracket child must trade its parent's ${parent.symbol}`,
      };
    }
  }
  const ref = desk.books.find(req.symbol)?.current?.close;
  const o = new RestingOrder(order, seq, instrument, now + desk.model.config.latencyMs, parent);
  o.takerOnArrival = ref !== undefined && o.marketableAt(ref);
  o.arrivalUnchecked = ref === undefined;
  const activeNow = parent === undefined || parent.filled > 0n;
  if (activeNow && req.postOnly && o.takerOnArrival) {
    return {
      code: SimReason.POST_ONLY_WOULD_TAKE,
      reason: `post-only ${req.side} at ${formatFixed(o.limitPx)} would take at ${ref}`,
    };
  }
  if (parent === undefined) {
    const refusal = desk.checks.onArrival(o, ref);
    if (refusal !== undefined) return refusal;
    // "Highest price seen since acceptance": the last price is the first one seen.
    if (o.trailPct !== undefined && ref !== undefined) o.watermark = ref;
  }
  return o;
}
