import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fixed } from '../../src/core/Fixed.js';
import { ZERO, add, sub, toFixed } from '../../src/core/Fixed.js';
import type { ContingentMember, EmulatorAction, ParentView } from '../../src/execution/OrderEmulator.js';
import { EmulatorReason, groupRemaining, isTriggered, planGroup } from '../../src/execution/OrderEmulator.js';

const q = (x: string | number): Fixed => toFixed(x);

function member(over: Partial<ContingentMember> & { id: string }): ContingentMember {
  return {
    side: 'SELL',
    type: 'STOP_MARKET',
    quantity: q(1),
    state: 'held',
    filledQty: ZERO,
    sentQty: ZERO,
    ...over,
  };
}

/** A long bracket: stop-loss at 1900, take-profit limit at 2100, both for 1. */
function bracket(): ContingentMember[] {
  return [
    member({ id: 'sl', type: 'STOP_MARKET', triggerPrice: q(1900) }),
    member({ id: 'tp', type: 'LIMIT', price: q(2100) }),
  ];
}

describe('isTriggered', () => {
  it('sell stop fires at or below its trigger, buy stop at or above, take-profits the other way', () => {
    const sellStop = member({ id: 'a', triggerPrice: q(100) });
    expect(isTriggered(sellStop, q(100))).toBe(true);
    expect(isTriggered(sellStop, q('100.01'))).toBe(false);
    const buyStop = member({ id: 'b', side: 'BUY', triggerPrice: q(100) });
    expect(isTriggered(buyStop, q(101))).toBe(true);
    expect(isTriggered(buyStop, q(99))).toBe(false);
    const sellTp = member({ id: 'c', type: 'TAKE_PROFIT', triggerPrice: q(100) });
    expect(isTriggered(sellTp, q(101))).toBe(true);
    expect(isTriggered(sellTp, q(99))).toBe(false);
    const buyLimit = member({ id: 'd', side: 'BUY', type: 'LIMIT', price: q(100) });
    expect(isTriggered(buyLimit, q(100))).toBe(true);
    expect(isTriggered(buyLimit, q(101))).toBe(false);
  });
});

describe('planGroup', () => {
  it('holds every child while the parent has no fill, whatever the price', () => {
    const parent: ParentView = { filledQty: ZERO, done: false };
    expect(planGroup(bracket(), parent, q(1000))).toEqual([]);
    expect(planGroup(bracket(), parent, q(3000))).toEqual([]);
  });

  it('releases the triggered stop for exactly the filled part of the entry', () => {
    const parent: ParentView = { filledQty: q('0.4'), done: false };
    expect(planGroup(bracket(), parent, q(1950))).toEqual([]);
    expect(planGroup(bracket(), parent, q(1890))).toEqual([
      { kind: 'release', orderId: 'sl', type: 'MARKET', quantity: q('0.4') },
    ]);
  });

  it('releases a triggered limit child as a LIMIT at its price', () => {
    const parent: ParentView = { filledQty: q(1), done: true };
    expect(planGroup(bracket(), parent, q(2100))).toEqual([
      { kind: 'release', orderId: 'tp', type: 'LIMIT', quantity: q(1), price: q(2100) },
    ]);
  });

  it('shrinks the stop to what the take-profit left after a partial fill', () => {
    const parent: ParentView = { filledQty: q(1), done: true };
    const [sl, tp] = bracket() as [ContingentMember, ContingentMember];
    const members = [sl, { ...tp, state: 'done' as const, filledQty: q('0.3') }];
    expect(groupRemaining(members, parent)).toBe(q('0.7'));
    expect(planGroup(members, parent, q(1800))).toEqual([
      { kind: 'release', orderId: 'sl', type: 'MARKET', quantity: q('0.7') },
    ]);
  });

  it('cancels a working sibling before releasing, so the group never oversells', () => {
    const parent: ParentView = { filledQty: q(1), done: true };
    const [sl, tp] = bracket() as [ContingentMember, ContingentMember];
    const members = [sl, { ...tp, state: 'sent' as const, sentQty: q(1), filledQty: q('0.2') }];
    expect(planGroup(members, parent, q(1800))).toEqual([
      { kind: 'cancel-venue', orderId: 'tp', reason: EmulatorReason.SIBLING_TRIGGERED },
    ]);
  });

  it('cancels children locally when the entry ended unfilled', () => {
    const parent: ParentView = { filledQty: ZERO, done: true };
    expect(planGroup(bracket(), parent, q(1800))).toEqual([
      { kind: 'cancel-local', orderId: 'sl', reason: EmulatorReason.PARENT_UNFILLED },
      { kind: 'cancel-local', orderId: 'tp', reason: EmulatorReason.PARENT_UNFILLED },
    ]);
  });

  it('cancels the rest of the group once fills used all the entry filled', () => {
    const parent: ParentView = { filledQty: q('0.5'), done: true };
    const [sl, tp] = bracket() as [ContingentMember, ContingentMember];
    const members = [sl, { ...tp, state: 'done' as const, filledQty: q('0.5') }];
    expect(planGroup(members, parent, q(2000))).toEqual([
      { kind: 'cancel-local', orderId: 'sl', reason: EmulatorReason.EXHAUSTED },
    ]);
  });

  it('cancels the rest once the account is flat after a fill (a base fee left the fills short)', () => {
    const parent: ParentView = { filledQty: q(1), done: true };
    const [sl, tp] = bracket() as [ContingentMember, ContingentMember];
    const members = [{ ...sl, state: 'done' as const, filledQty: q('0.999') }, tp];
    expect(planGroup(members, parent, q(2000), ZERO)).toEqual([
      { kind: 'cancel-local', orderId: 'tp', reason: EmulatorReason.EXHAUSTED },
    ]);
    expect(planGroup(members, parent, q(2000), q('0.001'))).toEqual([]);
  });

  it('cancels a triggered child locally when nothing is left to protect yet', () => {
    const parent: ParentView = { filledQty: q('0.5'), done: false };
    const [sl, tp] = bracket() as [ContingentMember, ContingentMember];
    const members = [sl, { ...tp, state: 'done' as const, filledQty: q('0.5') }];
    expect(planGroup(members, parent, q(1800))).toEqual([
      { kind: 'cancel-local', orderId: 'sl', reason: EmulatorReason.NOTHING_LEFT },
    ]);
  });
});

/**
 * A random life of a bracket: the entry fills in pieces or ends, prices move, the exchange
 * fills released members in pieces or ends them. The emulator's actions are applied as a
 * live venue would (a cancel-venue ends the member with what it filled).
 */
type Step =
  | { kind: 'parentFill'; qty: number }
  | { kind: 'parentEnd' }
  | { kind: 'price'; px: number }
  | { kind: 'venueFill'; which: number; frac: number }
  | { kind: 'venueEnd'; which: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('parentFill' as const), qty: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('parentEnd' as const) }),
  fc.record({ kind: fc.constant('price' as const), px: fc.integer({ min: 1800, max: 2200 }) }),
  fc.record({
    kind: fc.constant('venueFill' as const),
    which: fc.integer({ min: 0, max: 2 }),
    frac: fc.double({ min: 0.05, max: 1, noNaN: true }),
  }),
  fc.record({ kind: fc.constant('venueEnd' as const), which: fc.integer({ min: 0, max: 2 }) }),
);

describe('planGroup properties', () => {
  it('never sends before a parent fill, never commits or fills more than the parent filled', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.array(stepArb, { maxLength: 60 }), (total, steps) => {
        const entryQty = q(total);
        let parentFilled: Fixed = ZERO;
        let parentDone = false;
        let last: Fixed | undefined;
        let members: ContingentMember[] = [
          member({ id: 'sl', quantity: entryQty, triggerPrice: q(1900) }),
          member({ id: 'tp', quantity: entryQty, type: 'LIMIT', price: q(2100) }),
          member({ id: 'tp2', quantity: entryQty, type: 'TAKE_PROFIT', triggerPrice: q(2050) }),
        ];
        const set = (id: string, f: (m: ContingentMember) => ContingentMember): void => {
          members = members.map((m) => (m.id === id ? f(m) : m));
        };
        const apply = (a: EmulatorAction): void => {
          if (a.kind === 'release') {
            expect(parentFilled).toBeGreaterThan(0n);
            set(a.orderId, (m) => ({ ...m, state: 'sent', sentQty: a.quantity }));
          } else set(a.orderId, (m) => ({ ...m, state: 'done' }));
        };
        const check = (): void => {
          let used = ZERO;
          let filled = ZERO;
          for (const m of members) {
            used = add(used, m.state === 'sent' ? m.sentQty : m.filledQty);
            filled = add(filled, m.filledQty);
          }
          expect(used <= parentFilled).toBe(true);
          expect(filled <= parentFilled).toBe(true);
        };
        for (const s of steps) {
          switch (s.kind) {
            case 'parentFill':
              if (!parentDone) {
                const room = sub(entryQty, parentFilled);
                const f = q(s.qty) < room ? q(s.qty) : room;
                parentFilled = add(parentFilled, f);
                if (parentFilled === entryQty) parentDone = true;
              }
              break;
            case 'parentEnd':
              parentDone = true;
              break;
            case 'price':
              last = q(s.px);
              break;
            case 'venueFill': {
              const m = members[s.which];
              if (m?.state === 'sent') {
                const left = sub(m.sentQty, m.filledQty);
                const part = (left * BigInt(Math.round(s.frac * 100))) / 100n;
                const f = (part > 0n ? part : left) as Fixed;
                const filledQty = add(m.filledQty, f);
                set(m.id, (x) => ({ ...x, filledQty, state: filledQty === x.sentQty ? 'done' : 'sent' }));
              }
              break;
            }
            case 'venueEnd': {
              const m = members[s.which];
              if (m?.state === 'sent') set(m.id, (x) => ({ ...x, state: 'done' }));
              break;
            }
          }
          // The emulator runs after every event until it has nothing more to say.
          for (let i = 0; i < 10; i++) {
            const actions = planGroup(members, { filledQty: parentFilled, done: parentDone }, last);
            if (actions.length === 0) break;
            for (const a of actions) apply(a);
            check();
          }
          check();
        }
      }),
      { numRuns: 300 },
    );
  });
});
