import type { Fixed } from '../core/Fixed.js';
import { ZERO, add, sub } from '../core/Fixed.js';
import type { OrderSide, OrderType } from '../model/enums.js';

/**
 * Contingent orders (bracket children, OCO members) that a live exchange cannot hold for us
 * are emulated by the engine, as NautilusTrader's OrderEmulator does: held locally while their
 * parent has not filled, released to the exchange as a plain MARKET or LIMIT order once their
 * trigger holds, sized to what is left to protect at that moment. This module is the pure
 * decision: given a group's members, its parent and the last price, what to release or cancel.
 *
 * The sizing rule keeps one invariant: what a group may still sell (or buy) to close never
 * exceeds what its parent filled. A member on the exchange counts with all it was sent for
 * until it ends; a member that ended counts with what it filled.
 *
 * An entry may keep filling after one of its children went out (the stop fired while the entry
 * was half filled). Each leg of the group (the stop, the take-profit) is meant to guard all the
 * entry filled, so a leg that went out and has nothing held any more is continued: a held copy
 * of its terms for the rest of its quantity, which fires on the same trigger (at once, if the
 * trigger still holds) for what the entry filled since. A leg given up (canceled by the strategy
 * or the user, rejected, denied, expired, canceled locally) is not continued.
 */

/** Where a member is: held by the engine, released to the exchange, or ended. */
export type MemberState = 'held' | 'sent' | 'done';

/** One member of a contingent group, as the emulator sees it. */
export interface ContingentMember {
  readonly id: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: Fixed;
  readonly price?: Fixed | undefined;
  readonly triggerPrice?: Fixed | undefined;
  readonly state: MemberState;
  readonly filledQty: Fixed;
  /** What it was released for (state 'sent'; ignored otherwise). */
  readonly sentQty: Fixed;
  /**
   * The leg it belongs to (default: its own id): a continuation shares its origin's leg, and
   * members of one leg never cancel each other as siblings.
   */
  readonly leg?: string | undefined;
  /** Ended without doing its job (state 'done'): its leg is given up and never continued. */
  readonly withdrawn?: boolean | undefined;
}

/** The order the group's members protect (a bracket's entry). */
export interface ParentView {
  readonly filledQty: Fixed;
  /** Ended: it will never fill more. */
  readonly done: boolean;
}

export type EmulatorAction =
  | {
      readonly kind: 'release';
      readonly orderId: string;
      readonly type: 'MARKET' | 'LIMIT';
      readonly quantity: Fixed;
      readonly price?: Fixed;
    }
  | { readonly kind: 'cancel-local'; readonly orderId: string; readonly reason: string }
  | { readonly kind: 'cancel-venue'; readonly orderId: string; readonly reason: string }
  /**
   * Create a new held member with the terms of member `fromId` (its leg) for `quantity`: the
   * leg's continuation, guarding what the entry filled after the leg went out.
   */
  | { readonly kind: 'continue'; readonly fromId: string; readonly quantity: Fixed };

/** Reasons of the emulator's cancels (the OMS journals them as the cancel's reason). */
export const EmulatorReason = {
  PARENT_UNFILLED: 'EMULATOR_PARENT_ENDED_UNFILLED',
  EXHAUSTED: 'EMULATOR_GROUP_QUANTITY_EXHAUSTED',
  /** No longer given (a triggered member with nothing to close now waits); kept for older journals. */
  NOTHING_LEFT: 'EMULATOR_NOTHING_LEFT_TO_PROTECT',
  SIBLING_TRIGGERED: 'EMULATOR_SIBLING_TRIGGERED',
  NOT_EMULATED: 'EMULATOR_TYPE_NOT_EMULATED',
} as const;

/** Whether the last price `last` sets off a held member. */
export function isTriggered(m: ContingentMember, last: Fixed): boolean {
  const sell = m.side === 'SELL';
  switch (m.type) {
    case 'MARKET':
      return true;
    case 'LIMIT':
      return m.price !== undefined && (sell ? last >= m.price : last <= m.price);
    case 'STOP_MARKET':
    case 'STOP_LIMIT':
    case 'TRAILING_STOP':
      // A sell stop protects a long: it fires when the price falls to it.
      return m.triggerPrice !== undefined && (sell ? last <= m.triggerPrice : last >= m.triggerPrice);
    case 'TAKE_PROFIT':
    case 'TAKE_PROFIT_LIMIT':
      return m.triggerPrice !== undefined && (sell ? last >= m.triggerPrice : last <= m.triggerPrice);
  }
}

/** The leg a member belongs to. */
export function legOf(m: ContingentMember): string {
  return m.leg ?? m.id;
}

/** What a member may still close at most: the part of its own quantity it has not filled. */
function leaves(m: ContingentMember): Fixed {
  return sub(m.quantity, m.filledQty);
}

/** What a member takes of the group's capacity now (see the module comment). */
function committed(m: ContingentMember): Fixed {
  if (m.state === 'done') return m.filledQty;
  if (m.state === 'sent') return m.sentQty > m.filledQty ? m.sentQty : m.filledQty;
  return m.filledQty;
}

/**
 * The group's capacity: what its parent filled; a plain OCO (no parent) protects as much as
 * its largest member.
 */
export function groupCapacity(members: readonly ContingentMember[], parent: ParentView | undefined): Fixed {
  if (parent !== undefined) return parent.filledQty;
  let max = ZERO;
  for (const m of members) if (m.quantity > max) max = m.quantity;
  return max;
}

/** What is left of the capacity once every member's commitment is counted. */
export function groupRemaining(members: readonly ContingentMember[], parent: ParentView | undefined): Fixed {
  let used = ZERO;
  for (const m of members) used = add(used, committed(m));
  const left = sub(groupCapacity(members, parent), used);
  return left > ZERO ? left : ZERO;
}

/** The quantity a held member would be released for now (0: nothing to protect). */
export function emulatedQuantity(
  m: ContingentMember,
  members: readonly ContingentMember[],
  parent: ParentView | undefined,
): Fixed {
  const room = groupRemaining(members, parent);
  const own = leaves(m);
  return own < room ? own : room;
}

/** What sent members may still close at the exchange (sent, not yet filled). */
function openAtVenue(members: readonly ContingentMember[]): Fixed {
  let open = ZERO;
  for (const m of members)
    if (m.state === 'sent' && m.sentQty > m.filledQty) open = add(open, sub(m.sentQty, m.filledQty));
  return open;
}

/**
 * The continuation a leg needs, if any. Every leg guards all the entry filled less what the
 * group closed; a leg that has nothing held (it went out, and its orders filled or were
 * canceled as siblings) and is not given up gets a held copy of its terms for the rest of
 * its own quantity when its orders at the exchange cover less than that: the entry filled more
 * since it went out, or its order was canceled because a sibling fired and the price came back.
 * Sized to the leg's whole rest, so later entry fills are guarded by the same held member; its
 * release sizes it to the room like any member's.
 */
function continuation(
  members: readonly ContingentMember[],
  parent: ParentView,
  closable: Fixed | undefined,
): EmulatorAction | undefined {
  let closed = ZERO;
  for (const m of members) closed = add(closed, m.filledQty);
  const legs = new Map<string, ContingentMember[]>();
  for (const m of members) {
    const l = legs.get(legOf(m));
    if (l === undefined) legs.set(legOf(m), [m]);
    else l.push(m);
  }
  for (const leg of legs.values()) {
    if (leg.some((m) => m.state === 'held' || m.withdrawn === true)) continue;
    const open = openAtVenue(leg);
    let uncovered = sub(sub(parent.filledQty, closed), open);
    // Only what the account holds can be guarded (a fee in the base leaves dust): no dust orders.
    if (closable !== undefined && sub(closable, open) < uncovered) uncovered = sub(closable, open);
    if (uncovered <= ZERO) continue;
    let size = ZERO;
    let used = ZERO;
    for (const m of leg) {
      if (m.quantity > size) size = m.quantity;
      used = add(used, committed(m));
    }
    const rest = sub(size, used);
    const from = leg[0];
    if (rest > ZERO && from !== undefined) return { kind: 'continue', fromId: from.id, quantity: rest };
  }
  return undefined;
}

/**
 * The actions for one group (members sharing an OCO group, or the children of one entry)
 * given its parent (undefined for a plain OCO) and the last price (undefined: none seen yet).
 * Idempotent: the caller applies the actions, updates the members and may ask again.
 */
export function planGroup(
  members: readonly ContingentMember[],
  parent: ParentView | undefined,
  last: Fixed | undefined,
  /** The position the account holds to close (spot: the base after fees); undefined: unknown. */
  closable?: Fixed,
): EmulatorAction[] {
  const out: EmulatorAction[] = [];
  const held = members.filter((m) => m.state === 'held');
  const sent = members.filter((m) => m.state === 'sent');
  // The entry ended with nothing filled: there is no position to protect.
  if (parent !== undefined && parent.done && parent.filledQty === ZERO) {
    for (const m of held)
      out.push({ kind: 'cancel-local', orderId: m.id, reason: EmulatorReason.PARENT_UNFILLED });
    for (const m of sent)
      out.push({ kind: 'cancel-venue', orderId: m.id, reason: EmulatorReason.PARENT_UNFILLED });
    return out;
  }
  const capacity = groupCapacity(members, parent);
  let filled = ZERO;
  for (const m of members) filled = add(filled, m.filledQty);
  const finalCapacity = parent === undefined || parent.done;
  // Fills used the whole of what the parent will ever fill: the rest of the group ends.
  // A flat account after a member's fill is exhausted too: a fee taken in the base leaves the
  // fills short of the parent's, and that dust is not worth an order.
  const flat = closable !== undefined && closable <= ZERO && filled > ZERO;
  if (finalCapacity && (filled >= capacity || flat)) {
    for (const m of held) out.push({ kind: 'cancel-local', orderId: m.id, reason: EmulatorReason.EXHAUSTED });
    for (const m of sent)
      if (leaves(m) > ZERO)
        out.push({ kind: 'cancel-venue', orderId: m.id, reason: EmulatorReason.EXHAUSTED });
    return out;
  }
  // No child goes out before its parent has a fill.
  if (parent !== undefined && parent.filledQty === ZERO) return out;
  if (last !== undefined)
    for (const m of held) {
      // A trailing stop without a starting trigger has nothing to watch yet.
      if (m.type === 'TRAILING_STOP' && m.triggerPrice === undefined) {
        out.push({ kind: 'cancel-local', orderId: m.id, reason: EmulatorReason.NOT_EMULATED });
        continue;
      }
      if (!isTriggered(m, last)) continue;
      // A sibling working at the exchange still holds its share: it is canceled first, and
      // this member goes out once the sibling's end tells what it filled. A slice of its own
      // leg is no sibling: it closes part of the same protection. A sibling whose own trigger
      // still holds fired first and keeps its place (OCO: the first to fire wins), so two
      // members set off by one price never cancel each other in turn.
      const siblings = sent.filter((s) => legOf(s) !== legOf(m));
      if (siblings.some((s) => isTriggered(s, last))) continue;
      if (siblings.length > 0) {
        for (const s of siblings)
          out.push({ kind: 'cancel-venue', orderId: s.id, reason: EmulatorReason.SIBLING_TRIGGERED });
        return out;
      }
      const qty = emulatedQuantity(m, members, parent);
      // Nothing to close yet (a sibling closed what the entry filled so far): the member waits
      // to guard what the entry fills next. Were nothing ever to come, the group would be
      // exhausted above.
      if (qty === ZERO) continue;
      const limit = m.type === 'LIMIT' || m.type === 'STOP_LIMIT' || m.type === 'TAKE_PROFIT_LIMIT';
      out.push(
        limit && m.price !== undefined
          ? { kind: 'release', orderId: m.id, type: 'LIMIT', quantity: qty, price: m.price }
          : { kind: 'release', orderId: m.id, type: 'MARKET', quantity: qty },
      );
      // One member out at a time: the next plan sees it as sent.
      return out;
    }
  // One continuation at a time: the next plan sees it held (and releases it if triggered).
  const c = parent === undefined ? undefined : continuation(members, parent, closable);
  if (c !== undefined) out.push(c);
  return out;
}
