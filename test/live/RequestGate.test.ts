import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RequestGate } from '../../src/exchanges/ccxt/RequestGate.js';

/** A virtual clock: sleeping advances it, so the gate's waits are instant and exact. */
function virtualTime(): {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  advance: (ms: number) => void;
} {
  let t = 1_000_000;
  return {
    now: () => t,
    sleep: (ms) => {
      t += Math.max(1, ms);
      return Promise.resolve();
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

describe('RequestGate', () => {
  it('refuses a nonsense budget with a coded error', () => {
    const v = virtualTime();
    expect(() => new RequestGate({ ...v, maxOrders: 0, windowMs: 1000 })).toThrow(/order budget/);
  });

  it('property: no call runs before a ban ends, and no window holds more orders than the budget', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('block' as const), ms: fc.integer({ min: 0, max: 5000 }) }),
            fc.record({ op: fc.constant('call' as const), order: fc.boolean() }),
            fc.record({ op: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 3000 }) }),
          ),
          { maxLength: 60 },
        ),
        fc.integer({ min: 1, max: 5 }),
        async (ops, maxOrders) => {
          const v = virtualTime();
          const windowMs = 1000;
          const gate = new RequestGate({ ...v, maxOrders, windowMs });
          let banEnd = 0;
          const orderTimes: number[] = [];
          for (const op of ops) {
            if (op.op === 'block') {
              gate.block(op.ms);
              banEnd = Math.max(banEnd, v.now() + op.ms);
            } else if (op.op === 'wait') v.advance(op.ms);
            else {
              const at = await gate.run(() => Promise.resolve(v.now()), op.order);
              expect(at).toBeGreaterThanOrEqual(banEnd);
              if (op.order) {
                orderTimes.push(at);
                expect(orderTimes.filter((t) => t > at - windowMs).length).toBeLessThanOrEqual(maxOrders);
              }
            }
          }
          expect(gate.requestsDuringBan).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a later ban end wins over an earlier one', () => {
    const v = virtualTime();
    const gate = new RequestGate({ ...v, maxOrders: 1, windowMs: 1000 });
    gate.block(5000);
    gate.block(100);
    expect(gate.blockedUntil()).toBe(v.now() + 5000);
    expect(gate.closures).toBe(2);
  });
});
