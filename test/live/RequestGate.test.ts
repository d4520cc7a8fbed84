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

  it('property: unavailableMs is the measure of the union of bans and unanswered calls, in any window', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('block' as const), ms: fc.integer({ min: 0, max: 2000 }) }),
            fc.record({
              op: fc.constant('call' as const),
              takes: fc.integer({ min: 0, max: 800 }),
              fails: fc.boolean(),
            }),
            fc.record({ op: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 1500 }) }),
          ),
          { maxLength: 40 },
        ),
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 0, max: 20_000 }),
        async (ops, a, b) => {
          const v = virtualTime();
          const start = v.now();
          const gate = new RequestGate({
            ...v,
            maxOrders: 100,
            windowMs: 1000,
            unanswered: (e) => e instanceof Error && e.message === 'no answer',
          });
          // The expected outages, as a set of unavailable milliseconds.
          const down = new Set<number>();
          const mark = (from: number, to: number): void => {
            for (let t = from; t < to; t++) down.add(t);
          };
          for (const op of ops) {
            if (op.op === 'block') {
              mark(v.now(), v.now() + op.ms);
              gate.block(op.ms);
            } else if (op.op === 'wait') v.advance(op.ms);
            else {
              let from = 0;
              await gate
                .run(() => {
                  from = v.now();
                  v.advance(op.takes);
                  return op.fails ? Promise.reject(new Error('no answer')) : Promise.resolve();
                })
                .catch(() => undefined);
              if (op.fails) mark(from, from + op.takes);
            }
          }
          const from = start + Math.min(a, b);
          const to = start + Math.max(a, b);
          let expected = 0;
          for (const t of down) if (t >= from && t < to) expected++;
          expect(gate.unavailableMs(from, to)).toBe(expected);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("guard() puts another instance's requests through the gate: they wait for a ban and their 429 closes it", async () => {
    const v = virtualTime();
    const gate = new RequestGate({ ...v, maxOrders: 1, windowMs: 1000 });
    const sent: number[] = [];
    const marketData = {
      fetch: (url: string): Promise<string> => {
        sent.push(v.now());
        return url === 'ban' ? Promise.reject(new Error('429')) : Promise.resolve(url);
      },
    };
    gate.guard(marketData as never, (e) => (e instanceof Error && e.message === '429' ? 3000 : undefined));
    gate.block(500);
    const at = v.now();
    expect(await marketData.fetch('candles')).toBe('candles');
    expect(sent[0]).toBeGreaterThanOrEqual(at + 500);
    await expect(marketData.fetch('ban')).rejects.toThrow('429');
    const banned = v.now();
    expect(gate.blockedUntil()).toBe(banned + 3000);
    // The trading side now waits for the market-data instance's ban too.
    const when = await gate.run(() => Promise.resolve(v.now()));
    expect(when).toBeGreaterThanOrEqual(banned + 3000);
    expect(gate.requestsDuringBan).toBe(0);
    expect(gate.unavailableMs(banned, banned + 3000)).toBe(3000);
  });
});
