import fc from 'fast-check';
import type { Exchange } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { PrivateStreamHealth, StreamState } from '../../src/exchanges/ccxt/PrivateStreamHealth.js';
import { privateSocketsOpen } from '../../src/exchanges/ccxt/privateSocketsOpen.js';

const CONFIRM_MS = 1_000;
const NAMES = ['watchMyTrades', 'watchOrders'] as const;

/** Health of both streams on a clock the test moves by hand. */
function started(t0 = 10_000): { h: PrivateStreamHealth; clock: { t: number } } {
  const clock = { t: t0 };
  const h = new PrivateStreamHealth(NAMES, CONFIRM_MS);
  h.setRunning(true, clock.t);
  return { h, clock };
}

describe('PrivateStreamHealth', () => {
  it('a quiet account: confirmed by watches pending on open sockets, and stays healthy for hours without a message', () => {
    const { h, clock } = started();
    for (const n of NAMES) h.watching(n, clock.t);
    expect(h.view().healthy).toBe(false);
    clock.t += CONFIRM_MS - 1;
    expect(h.settled('watchOrders', clock.t, true)).toBe(false);
    clock.t += 1;
    expect(h.settled('watchOrders', clock.t, true)).toBe(false); // the other stream is not confirmed yet
    expect(h.settled('watchMyTrades', clock.t, true)).toBe(true); // this one completes the pair
    const v = h.view();
    expect(v.healthy).toBe(true);
    expect(v.healthySince).toBe(clock.t);
    expect(v.streams.every((s) => s.lastMessageAt === undefined)).toBe(true);
    clock.t += 6 * 3_600_000;
    for (const n of NAMES) h.watching(n, clock.t);
    expect(h.view().healthy).toBe(true);
    expect(h.view().detail).toMatch(/healthy/);
  });

  it('sockets still dialling do not confirm a subscription, however long the watch has been pending', () => {
    const { h, clock } = started();
    for (const n of NAMES) h.watching(n, clock.t);
    clock.t += 10 * CONFIRM_MS;
    for (const n of NAMES) expect(h.settled(n, clock.t, false)).toBe(false);
    expect(h.view().healthy).toBe(false);
    expect(h.view().streams.map((s) => s.state)).toEqual([StreamState.SUBSCRIBING, StreamState.SUBSCRIBING]);
  });

  it('a message confirms at once; a failure makes the streams unhealthy at once, and healthy again only from the re-subscription', () => {
    const { h, clock } = started();
    for (const n of NAMES) h.watching(n, clock.t);
    clock.t += 5;
    expect(h.received('watchOrders', clock.t)).toBe(false);
    expect(h.received('watchMyTrades', clock.t)).toBe(true);
    const first = h.view().healthySince;
    expect(first).toBe(clock.t);
    clock.t += 60_000;
    h.failed('watchMyTrades', clock.t, 'connection closed by remote server');
    const down = h.view();
    expect(down.healthy).toBe(false);
    expect(down.healthySince).toBeUndefined();
    expect(down.detail).toContain('watchMyTrades down (last error: connection closed by remote server)');
    clock.t += 500;
    h.watching('watchMyTrades', clock.t);
    // A stale confirmation window does not count: the clock restarts at the re-subscription.
    expect(h.settled('watchMyTrades', clock.t + CONFIRM_MS - 1, true)).toBe(false);
    clock.t += CONFIRM_MS;
    expect(h.settled('watchMyTrades', clock.t, true)).toBe(true);
    expect(h.view().healthySince).toBe(clock.t);
    expect(h.view().streams.find((s) => s.name === 'watchMyTrades')?.failures).toBe(1);
  });

  it('stopped streams are off: never healthy, and a late confirmation does not revive them', () => {
    const { h, clock } = started();
    for (const n of NAMES) h.watching(n, clock.t);
    for (const n of NAMES) h.received(n, clock.t);
    expect(h.view().healthy).toBe(true);
    h.setRunning(false, clock.t);
    expect(h.view().healthy).toBe(false);
    expect(h.view().detail).toBe('private streams off');
    expect(h.received('watchOrders', clock.t + 1)).toBe(false);
    expect(h.view().healthy).toBe(false);
  });

  it('property: healthy exactly when every stream was confirmed after its last failure, and healthySince is not before any failure', () => {
    /** One thing a watch loop reports; `open` is what the socket check says on a settle. */
    interface Ev {
      readonly kind: 'watch' | 'fail' | 'message' | 'settle';
      readonly stream: 0 | 1;
      readonly dt: number;
      readonly open: boolean;
    }
    const ev: fc.Arbitrary<Ev> = fc.record({
      kind: fc.constantFrom('watch' as const, 'fail' as const, 'message' as const, 'settle' as const),
      stream: fc.constantFrom(0 as const, 1 as const),
      dt: fc.integer({ min: 0, max: 3_000 }),
      open: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(ev, { maxLength: 60 }), (events) => {
        const { h, clock } = started(0);
        // The model: per stream, when its current attempt began, whether it is confirmed, last failure.
        const model = NAMES.map(() => ({
          attemptAt: undefined as number | undefined,
          confirmedAt: undefined as number | undefined,
          failedAt: -1,
        }));
        let wasHealthy = false;
        for (const e of events) {
          clock.t += e.dt;
          const name = NAMES[e.stream];
          const m = model[e.stream];
          if (name === undefined || m === undefined) throw new Error('bad stream index');
          let turned = false;
          if (e.kind === 'watch') {
            h.watching(name, clock.t);
            if (m.confirmedAt === undefined) m.attemptAt ??= clock.t;
          } else if (e.kind === 'fail') {
            h.failed(name, clock.t, 'x');
            m.attemptAt = undefined;
            m.confirmedAt = undefined;
            m.failedAt = clock.t;
          } else if (e.kind === 'message') {
            turned = h.received(name, clock.t);
            // A message is proof of a working subscription, whatever came before.
            m.confirmedAt ??= clock.t;
          } else {
            turned = h.settled(name, clock.t, e.open);
            if (
              m.attemptAt !== undefined &&
              m.confirmedAt === undefined &&
              e.open &&
              clock.t - m.attemptAt >= CONFIRM_MS
            )
              m.confirmedAt = clock.t;
          }
          const expected = model.every((x) => x.confirmedAt !== undefined);
          const v = h.view();
          if (v.healthy !== expected) return false;
          if (turned !== (expected && !wasHealthy)) return false;
          wasHealthy = expected;
          if (v.healthy) {
            const since = Math.max(...model.map((x) => x.confirmedAt ?? 0));
            if (v.healthySince !== since) return false;
            if (model.some((x) => x.failedAt > since)) return false;
          }
        }
        return true;
      }),
      { numRuns: 500 },
    );
  });
});

describe('privateSocketsOpen', () => {
  const ex = (clients: Record<string, unknown> | undefined): Exchange => ({ clients }) as unknown as Exchange;

  it('open when a dialled client is connected and none is still dialling; parked, never-dialled clients do not count', () => {
    expect(
      privateSocketsOpen(
        ex({
          'ws://x/ws-api/v3': { startedConnecting: true, isConnected: true },
          authenticationFlights: { startedConnecting: false, isConnected: false },
        }),
      ),
    ).toBe(true);
    expect(
      privateSocketsOpen(
        ex({
          a: { startedConnecting: true, isConnected: true },
          b: { startedConnecting: true, isConnected: false },
        }),
      ),
    ).toBe(false);
    expect(privateSocketsOpen(ex({}))).toBe(false);
    expect(privateSocketsOpen(ex(undefined))).toBe(true);
  });
});
