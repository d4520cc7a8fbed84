import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Subscriber } from '../../../src/api/push/PushChannel.js';
import { PushChannel } from '../../../src/api/push/PushChannel.js';

interface EventMessage {
  op: string;
  channel: string;
  seq: number;
  data: unknown;
}

const decode = (b: Buffer): EventMessage => JSON.parse(b.toString('utf8')) as EventMessage;

function counting(): { serialize: (d: unknown) => string; count: () => number } {
  let n = 0;
  return {
    serialize: (d) => {
      n++;
      return JSON.stringify(d);
    },
    count: () => n,
  };
}

class Recorder implements Subscriber {
  readonly got: Buffer[] = [];
  deliver(payload: Buffer): void {
    this.got.push(payload);
  }
}

describe('PushChannel fan-out', () => {
  it('serializes each event once and hands the very same bytes to every subscriber', () => {
    const c = counting();
    const ch = new PushChannel({ name: 'candles:BTC/USDT:1m', snapshot: () => null }, c.serialize);
    const subs = Array.from({ length: 50 }, () => new Recorder());
    for (const s of subs) ch.add(s);
    const events = 37;
    for (let i = 0; i < events; i++) ch.publish({ close: 100 + i });
    expect(c.count()).toBe(events);
    for (const s of subs) {
      expect(s.got).toHaveLength(events);
      s.got.forEach((b, i) => expect(b).toBe(subs[0]?.got[i]));
    }
    const msgs = subs[0]!.got.map(decode);
    expect(msgs.map((m) => m.seq)).toEqual(Array.from({ length: events }, (_, i) => i + 1));
    expect(msgs[5]).toEqual({ op: 'event', channel: 'candles:BTC/USDT:1m', seq: 6, data: { close: 105 } });
  });

  it('costs no serialization when nobody listens and nothing is kept for replay', () => {
    const c = counting();
    const ch = new PushChannel({ name: 'equity', snapshot: () => null }, c.serialize);
    for (let i = 0; i < 10; i++) ch.publish({ equity: i });
    expect(c.count()).toBe(0);
    expect(ch.seq).toBe(10);
    // Kept events published while nobody listened are serialized once, when first replayed.
    const kept = new PushChannel({ name: 'fills', snapshot: () => null, replayDepth: 4 }, c.serialize);
    for (let i = 0; i < 3; i++) kept.publish({ i });
    expect(c.count()).toBe(0);
    const a = kept.replaySince(0);
    const b = kept.replaySince(0);
    expect(c.count()).toBe(3);
    expect(a?.map((x) => decode(x).data)).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
    a?.forEach((x, i) => expect(x).toBe(b?.[i]));
  });

  it('keeps the order of events published from inside a delivery (reentrancy)', () => {
    const ch = new PushChannel({ name: 'logs', snapshot: () => null });
    const first = new Recorder();
    let reentered = false;
    const noisy: Subscriber = {
      // Dropping a client logs a line, and log lines are themselves published on this channel.
      deliver: () => {
        if (reentered) return;
        reentered = true;
        ch.publish('dropped a client');
      },
    };
    const last = new Recorder();
    ch.add(first);
    ch.add(noisy);
    ch.add(last);
    ch.publish('a');
    ch.publish('b');
    for (const r of [first, last]) expect(r.got.map((x) => decode(x).seq)).toEqual([1, 2, 3]);
    expect(last.got.map((x) => decode(x).data)).toEqual(['a', 'dropped a client', 'b']);
  });

  it('replays exactly the missed events while they are kept, and refuses otherwise (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.array(
          fc.oneof(
            fc.record({ publish: fc.integer({ min: 1, max: 30 }) }),
            fc.record({ resumeFrom: fc.integer({ min: -3, max: 200 }) }),
          ),
          { maxLength: 40 },
        ),
        (depth, ops) => {
          const ch = new PushChannel({ name: 'orders', snapshot: () => null, replayDepth: depth });
          const published: number[] = [];
          for (const op of ops) {
            if ('publish' in op) {
              for (let i = 0; i < op.publish; i++) {
                const value = published.length * 7 + 1;
                published.push(value);
                ch.publish(value);
              }
              continue;
            }
            const last = op.resumeFrom;
            const got = ch.replaySince(last);
            const missed = published.length - last;
            const possible = Number.isInteger(last) && last >= 0 && missed >= 0 && missed <= depth;
            if (!possible) {
              expect(got).toBeUndefined();
              continue;
            }
            expect(got).toBeDefined();
            const msgs = (got ?? []).map(decode);
            expect(msgs.map((m) => m.seq)).toEqual(Array.from({ length: missed }, (_, i) => last + 1 + i));
            expect(msgs.map((m) => m.data)).toEqual(published.slice(last));
          }
          expect(ch.seq).toBe(published.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
