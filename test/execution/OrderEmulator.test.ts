import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fixed } from '../../src/core/Fixed.js';
import { ZERO, add, sub, toFixed } from '../../src/core/Fixed.js';
import type { ContingentMember, EmulatorAction, ParentView } from '../../src/execution/OrderEmulator.js';
import {
  EmulatorReason,
  groupRemaining,
  isTriggered,
  legOf,
  planGroup,
} from '../../src/execution/OrderEmulator.js';

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

  it('lets the first of two members set off by one price keep its place (no cancel ping-pong)', () => {
    const parent: ParentView = { filledQty: q(1), done: true };
    const [sl, tp] = bracket() as [ContingentMember, ContingentMember];
    const tpOut = { ...tp, state: 'sent' as const, sentQty: q(1) };
    const tp2 = member({ id: 'tp2', type: 'TAKE_PROFIT', triggerPrice: q(2050) });
    expect(planGroup([sl, tpOut, tp2], parent, q(2100))).toEqual([]);
    // The market left the take-profit's price behind: the stop cancels it, then goes out.
    expect(planGroup([sl, tpOut, tp2], parent, q(1850))).toEqual([
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
    // Something is still held (not a fee's dust): the stop's leg guards it again.
    expect(planGroup(members, parent, q(2000), q('0.001'))).toEqual([
      { kind: 'continue', fromId: 'sl', quantity: q('0.001') },
    ]);
  });

  it('keeps a triggered child held while nothing is left to close yet: the entry may fill more', () => {
    const parent: ParentView = { filledQty: q('0.5'), done: false };
    const [sl, tp] = bracket() as [ContingentMember, ContingentMember];
    const members = [sl, { ...tp, state: 'done' as const, filledQty: q('0.5') }];
    expect(planGroup(members, parent, q(1800))).toEqual([]);
    // The entry fills 0.2 more while the stop's trigger holds: the stop goes out for that part.
    expect(planGroup(members, { filledQty: q('0.7'), done: false }, q(1800))).toEqual([
      { kind: 'release', orderId: 'sl', type: 'MARKET', quantity: q('0.2') },
    ]);
  });
});

describe('planGroup: the entry fills after a leg went out', () => {
  /** The stop went out for the 0.4 the entry had filled, and that sell filled. */
  function stopSpent(): ContingentMember[] {
    const [sl, tp] = bracket() as [ContingentMember, ContingentMember];
    return [{ ...sl, state: 'done', sentQty: q('0.4'), filledQty: q('0.4') }, tp];
  }

  it('continues the leg that went out for the rest of its quantity, held on the same terms', () => {
    expect(planGroup(stopSpent(), { filledQty: q('0.4'), done: false }, q(1850))).toEqual([]);
    expect(planGroup(stopSpent(), { filledQty: q('0.7'), done: false }, q(1850))).toEqual([
      { kind: 'continue', fromId: 'sl', quantity: q('0.6') },
    ]);
  });

  it('releases the continuation for exactly what the entry filled since, while the trigger holds', () => {
    const members = [
      ...stopSpent(),
      member({ id: 'sl+1', leg: 'sl', triggerPrice: q(1900), quantity: q('0.6') }),
    ];
    const parent: ParentView = { filledQty: q('0.7'), done: false };
    expect(planGroup(members, parent, q(1850))).toEqual([
      { kind: 'release', orderId: 'sl+1', type: 'MARKET', quantity: q('0.3') },
    ]);
    // The price recovered: the continuation stays held, guarding the 0.3 at the stop's price.
    expect(planGroup(members, parent, q(1950))).toEqual([]);
  });

  it('never cancels a working slice of its own leg as a sibling', () => {
    const [sl, tp] = bracket() as [ContingentMember, ContingentMember];
    const members = [
      { ...sl, state: 'sent' as const, sentQty: q('0.4') },
      tp,
      member({ id: 'sl+1', leg: 'sl', triggerPrice: q(1900), quantity: q('0.6') }),
    ];
    expect(planGroup(members, { filledQty: q('0.7'), done: false }, q(1850))).toEqual([
      { kind: 'release', orderId: 'sl+1', type: 'MARKET', quantity: q('0.3') },
    ]);
  });

  it('continues a resting take-profit leg too, and not a leg that was given up', () => {
    const [sl, tp] = bracket() as [ContingentMember, ContingentMember];
    const tpSent = { ...tp, state: 'sent' as const, sentQty: q('0.4') };
    const parent: ParentView = { filledQty: q(1), done: false };
    expect(planGroup([sl, tpSent], parent, q(2000))).toEqual([
      { kind: 'continue', fromId: 'tp', quantity: q('0.6') },
    ]);
    const given = { ...tpSent, state: 'done' as const, withdrawn: true };
    expect(planGroup([sl, given], parent, q(2000))).toEqual([]);
  });

  it('sends no dust: no continuation when the account holds nothing beyond what is at the exchange', () => {
    const parent: ParentView = { filledQty: q('0.7'), done: false };
    expect(planGroup(stopSpent(), parent, q(1850), ZERO)).toEqual([]);
    expect(planGroup(stopSpent(), parent, q(1850), q('0.299'))).toEqual([
      { kind: 'continue', fromId: 'sl', quantity: q('0.6') },
    ]);
  });

  it('continues once the entry ended too, if its last fill came after the leg went out', () => {
    expect(planGroup(stopSpent(), { filledQty: q(1), done: true }, q(1850))).toEqual([
      { kind: 'continue', fromId: 'sl', quantity: q('0.6') },
    ]);
  });
});

/**
 * A random life of a bracket: the entry fills in pieces or ends, prices move, the exchange
 * fills released members in pieces or ends them (closed short, or given up: canceled by the
 * user, expired). The emulator's actions are applied as a live venue would: a cancel-venue
 * ends the member with what it filled, a continuation adds a held member on its leg's terms.
 */
type Step =
  | { kind: 'parentFill'; qty: number }
  | { kind: 'parentEnd' }
  | { kind: 'price'; px: number }
  | { kind: 'venueFill'; which: number; frac: number }
  | { kind: 'venueEnd'; which: number; givenUp: boolean };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('parentFill' as const), qty: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('parentEnd' as const) }),
  fc.record({ kind: fc.constant('price' as const), px: fc.integer({ min: 1800, max: 2200 }) }),
  fc.record({
    kind: fc.constant('venueFill' as const),
    which: fc.integer({ min: 0, max: 7 }),
    frac: fc.double({ min: 0.05, max: 1, noNaN: true }),
  }),
  fc.record({
    kind: fc.constant('venueEnd' as const),
    which: fc.integer({ min: 0, max: 7 }),
    givenUp: fc.boolean(),
  }),
);

/** A bracket's life as the property drives it: entry, members, last price. */
class BracketLife {
  parentFilled: Fixed = ZERO;
  parentDone = false;
  last: Fixed | undefined;
  members: ContingentMember[];
  /** Actions seen, by kind (what the runs exercised). */
  readonly seen = new Map<string, number>();
  private seq = 0;

  constructor(
    readonly entryQty: Fixed,
    /** Tell the emulator the position held (entry filled less closed), as the live venue does. */
    private readonly withPosition = false,
  ) {
    this.members = [
      member({ id: 'sl', quantity: entryQty, triggerPrice: q(1900) }),
      member({ id: 'tp', quantity: entryQty, type: 'LIMIT', price: q(2100) }),
      member({ id: 'tp2', quantity: entryQty, type: 'TAKE_PROFIT', triggerPrice: q(2050) }),
    ];
  }

  private set(id: string, f: (m: ContingentMember) => ContingentMember): void {
    this.members = this.members.map((m) => (m.id === id ? f(m) : m));
  }

  private apply(a: EmulatorAction): void {
    this.seen.set(a.kind, (this.seen.get(a.kind) ?? 0) + 1);
    switch (a.kind) {
      case 'release':
        expect(this.parentFilled).toBeGreaterThan(0n);
        this.set(a.orderId, (m) => ({ ...m, state: 'sent', sentQty: a.quantity }));
        break;
      case 'continue': {
        expect(this.parentFilled).toBeGreaterThan(0n);
        const from = this.members.find((m) => m.id === a.fromId);
        if (from === undefined) throw new Error(`continue from unknown ${a.fromId}`);
        this.seq += 1;
        this.members.push({
          ...from,
          id: `${legOf(from)}+${this.seq}`,
          leg: legOf(from),
          quantity: a.quantity,
          state: 'held',
          filledQty: ZERO,
          sentQty: ZERO,
          withdrawn: false,
        });
        break;
      }
      case 'cancel-local':
        this.set(a.orderId, (m) => ({ ...m, state: 'done', withdrawn: true }));
        break;
      case 'cancel-venue':
        this.set(a.orderId, (m) => ({ ...m, state: 'done' }));
        break;
    }
  }

  /** Σ what members may still close or closed ≤ entry filled; each leg within its size. */
  check(): void {
    let used = ZERO;
    let filled = ZERO;
    const byLeg = new Map<string, Fixed>();
    for (const m of this.members) {
      const c = m.state === 'sent' ? m.sentQty : m.filledQty;
      used = add(used, c);
      filled = add(filled, m.filledQty);
      byLeg.set(legOf(m), add(byLeg.get(legOf(m)) ?? ZERO, c));
    }
    expect(used <= this.parentFilled).toBe(true);
    expect(filled <= this.parentFilled).toBe(true);
    for (const c of byLeg.values()) expect(c <= this.entryQty).toBe(true);
  }

  /** Runs the emulator until it has nothing more to say (it must get there). */
  settle(): void {
    for (let i = 0; i < 20; i++) {
      const position = this.withPosition ? sub(this.parentFilled, this.closed()) : undefined;
      const actions = planGroup(
        this.members,
        { filledQty: this.parentFilled, done: this.parentDone },
        this.last,
        position,
      );
      if (actions.length === 0) return;
      for (const a of actions) this.apply(a);
      this.check();
    }
    throw new Error('the emulator did not settle in 20 rounds');
  }

  fillParent(qty: Fixed): void {
    if (this.parentDone) return;
    const room = sub(this.entryQty, this.parentFilled);
    this.parentFilled = add(this.parentFilled, qty < room ? qty : room);
    if (this.parentFilled === this.entryQty) this.parentDone = true;
  }

  step(s: Step): void {
    const sent = this.members.filter((m) => m.state === 'sent');
    switch (s.kind) {
      case 'parentFill':
        this.fillParent(q(s.qty));
        break;
      case 'parentEnd':
        this.parentDone = true;
        break;
      case 'price':
        this.last = q(s.px);
        break;
      case 'venueFill': {
        const m = sent[s.which % Math.max(1, sent.length)];
        if (m === undefined) break;
        const left = sub(m.sentQty, m.filledQty);
        const part = (left * BigInt(Math.round(s.frac * 100))) / 100n;
        const f = (part > 0n ? part : left) as Fixed;
        const filledQty = add(m.filledQty, f);
        this.set(m.id, (x) => ({ ...x, filledQty, state: filledQty === x.sentQty ? 'done' : 'sent' }));
        break;
      }
      case 'venueEnd': {
        const m = sent[s.which % Math.max(1, sent.length)];
        if (m !== undefined) this.set(m.id, (x) => ({ ...x, state: 'done', withdrawn: s.givenUp }));
        break;
      }
    }
  }

  /** What released members may still close at the exchange. */
  protectedAtVenue(): Fixed {
    let open = ZERO;
    for (const m of this.members) if (m.state === 'sent') open = add(open, sub(m.sentQty, m.filledQty));
    return open;
  }

  closed(): Fixed {
    let filled = ZERO;
    for (const m of this.members) filled = add(filled, m.filledQty);
    return filled;
  }

  stopGivenUp(): boolean {
    return this.members.some((m) => legOf(m) === 'sl' && m.withdrawn === true);
  }
}

describe('planGroup properties', () => {
  it('never sends before a parent fill, never commits or fills more than the parent filled', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.array(stepArb, { maxLength: 60 }),
        fc.boolean(),
        (total, steps, withPosition) => {
          const life = new BracketLife(q(total), withPosition);
          for (const s of steps) {
            life.step(s);
            // The emulator runs after every event until it has nothing more to say.
            life.settle();
            life.check();
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('once the stop fires and things settle, what is protected = entry filled − already closed, after every later entry fill', () => {
    const seen = new Map<string, number>();
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 100 }),
        fc.array(stepArb, { maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        (total, steps, laterFills, withPosition) => {
          const life = new BracketLife(q(total), withPosition);
          for (const s of steps) {
            life.step(s);
            life.settle();
          }
          // The stop's trigger holds from here on; the entry keeps filling.
          life.step({ kind: 'price', px: 1850 });
          for (const f of [0, ...laterFills]) {
            if (f > 0) life.fillParent(q(f));
            life.settle();
            life.check();
            if (life.stopGivenUp()) continue;
            // Every unit the entry filled is closed or being closed by the stop's leg.
            expect(add(life.protectedAtVenue(), life.closed())).toBe(life.parentFilled);
            // Only the stop's leg works at the exchange: the take-profits were canceled first.
            for (const m of life.members) if (m.state === 'sent') expect(legOf(m)).toBe('sl');
          }
          for (const [k, n] of life.seen) seen.set(k, (seen.get(k) ?? 0) + n);
        },
      ),
      { numRuns: 300 },
    );
    // The runs went through continuations and sibling cancels, not only first releases.
    expect(seen.get('continue') ?? 0).toBeGreaterThan(0);
    expect(seen.get('cancel-venue') ?? 0).toBeGreaterThan(0);
  });
});
