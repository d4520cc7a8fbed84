import type { Fixed } from '../core/Fixed.js';
import { ZERO, max, sub } from '../core/Fixed.js';
import type { Order } from '../model/Order.js';
import { feesPaidIn } from '../model/Order.js';

/**
 * The venue order id an emulated order is accepted under: the engine holds it, the exchange
 * has never seen it. It stays the journaled id after release (the exchange's own id is read
 * by client order id), so a restart tells emulated children from ordinary orders.
 */
export const EMULATED_VENUE_ID = 'EMULATED';

/** Whether an order is a contingent one the engine emulates (bracket child or OCO member). */
export function isContingent(order: Order): boolean {
  return order.request.parentId !== undefined || order.request.ocoGroup !== undefined;
}

/**
 * The group an emulated order belongs to: its OCO group, else its entry's children together
 * (children of one entry close one position, so they share what it filled).
 */
export function groupKeyOf(order: Order): string {
  const r = order.request;
  if (r.ocoGroup !== undefined) return `oco:${r.ocoGroup}`;
  if (r.parentId !== undefined) return `parent:${r.parentId}`;
  return `order:${order.id}`;
}

/**
 * A member's leg: members of one group with the same terms are one protection (a leg and its
 * continuations), which survives a restart without any extra field in the journal.
 */
export function legKeyOf(order: Order): string {
  const r = order.request;
  return `${r.side}|${r.type}|${r.price ?? ''}|${r.triggerPrice ?? ''}|${r.trailingPct ?? ''}`;
}

/**
 * What an entry delivered of the position its children close: a spot buy's fee taken in the
 * base asset never reaches the account, so it is not there to sell (nor to guard: a leg is not
 * continued for that dust).
 */
export function deliveredQty(entry: Order): Fixed {
  if (entry.side !== 'BUY') return entry.filledQty;
  const base = entry.symbol.split('/')[0] as string;
  // A rebate (negative fee) is not counted as coins delivered: children never close more than filled.
  return sub(entry.filledQty, max(feesPaidIn(entry, base), ZERO));
}

/** Ends that mean a member did not do its job: its leg is given up. */
const GIVEN_UP: ReadonlySet<string> = new Set(['REJECTED', 'DENIED', 'EXPIRED']);

/**
 * Whether a member's end gives its leg up. A release the exchange definitively never received
 * (a 5xx before processing, or a crash between the journaled trigger and the request) was not
 * refused: the position it guards is still there, so its leg goes on under a new client order id.
 */
export function givesUp(o: Order): boolean {
  return GIVEN_UP.has(o.status) && o.reasonCode !== NEVER_REACHED;
}
const NEVER_REACHED = 'ERR_ORDER_NEVER_REACHED_EXCHANGE';
