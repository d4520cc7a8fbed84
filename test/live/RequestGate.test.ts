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

  it('an order overtakes the routine requests waiting (lookups, sync, reconciliation, market data); they keep their order', async () => {
    const v = virtualTime();
    const gate = new RequestGate({ ...v, maxOrders: 10, windowMs: 1000 });
    const started: string[] = [];
    let finishFirst: () => void = () => undefined;
    const first = gate.run(() => {
      started.push('sync 0');
      return new Promise<void>((r) => (finishFirst = r));
    });
    const routine = [1, 2, 3, 4, 5].map((i) =>
      gate.run(() => {
        started.push(`sync ${i}`);
        return Promise.resolve();
      }),
    );
    const order = gate.run(() => {
      started.push('order');
      return Promise.resolve();
    }, true);
    const cancel = gate.run(
      () => {
        started.push('cancel');
        return Promise.resolve();
      },
      false,
      true,
    );
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual(['sync 0']);
    finishFirst();
    await Promise.all([first, ...routine, order, cancel]);
    expect(started).toEqual(['sync 0', 'order', 'cancel', 'sync 1', 'sync 2', 'sync 3', 'sync 4', 'sync 5']);
    expect(gate.queued.urgent.calls).toBe(2);
    expect(gate.queued.routine.calls).toBe(6);
  });

  it('an order waiting for budget does not hold up the requests behind it', async () => {
    const v = virtualTime();
    const gate = new RequestGate({ ...v, maxOrders: 1, windowMs: 1000 });
    const started: [string, number][] = [];
    const call = (name: string) => (): Promise<void> => {
      started.push([name, v.now()]);
      return Promise.resolve();
    };
    const t0 = v.now();
    await gate.run(call('order 1'), true);
    const order2 = gate.run(call('order 2'), true);
    const lookup = gate.run(call('lookup'));
    await Promise.all([order2, lookup]);
    expect(started.map(([n]) => n)).toEqual(['order 1', 'lookup', 'order 2']);
    expect(started[2]?.[1]).toBeGreaterThanOrEqual(t0 + 1000);
  });

  it('property: calls launched together run one at a time, never during a ban, within budget, all complete', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            kind: fc.constantFrom('order', 'cancel', 'routine'),
            ban: fc.option(fc.integer({ min: 1, max: 3000 }), { freq: 4 }),
            takes: fc.integer({ min: 0, max: 300 }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.integer({ min: 1, max: 4 }),
        async (calls, maxOrders) => {
          const v = virtualTime();
          const windowMs = 1000;
          const gate = new RequestGate({
            ...v,
            maxOrders,
            windowMs,
            retryAfter: (e) =>
              e instanceof Error && e.message.startsWith('ban ') ? Number(e.message.slice(4)) : undefined,
          });
          let inFlight = 0;
          let banEnd = 0;
          const orderTimes: number[] = [];
          const routineStarts: number[] = [];
          const runs = calls.map((c, i) =>
            gate
              .run(
                async () => {
                  inFlight += 1;
                  expect(inFlight).toBe(1);
                  expect(v.now()).toBeGreaterThanOrEqual(banEnd);
                  if (c.kind === 'order') orderTimes.push(v.now());
                  if (c.kind === 'routine') routineStarts.push(i);
                  await Promise.resolve();
                  v.advance(c.takes);
                  inFlight -= 1;
                  if (c.ban !== null) {
                    banEnd = Math.max(banEnd, v.now() + c.ban);
                    throw new Error(`ban ${c.ban}`);
                  }
                },
                c.kind === 'order',
                c.kind !== 'routine',
              )
              .catch(() => undefined),
          );
          await Promise.all(runs);
          for (const t of orderTimes)
            expect(orderTimes.filter((u) => u > t - windowMs && u <= t).length).toBeLessThanOrEqual(
              maxOrders,
            );
          // A call that slept through a ban queues again when it wakes: order holds without bans.
          if (calls.every((c) => c.ban === null))
            expect(routineStarts).toEqual([...routineStarts].sort((a, b) => a - b));
          expect(orderTimes.length).toBe(calls.filter((c) => c.kind === 'order').length);
          expect(gate.requestsDuringBan).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });
});
