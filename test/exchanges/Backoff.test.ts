import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/exchanges/Backoff.js';

describe('Backoff', () => {
  it('grows exponentially, is capped, and resets after a success', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    expect(b.failures()).toBe(6);
    b.reset();
    expect(b.next()).toBe(100);
  });

  it('jitter shortens delays by at most its fraction, reproducibly per seed, never above the cap', () => {
    const delays = (seed: number): number[] => {
      const b = new Backoff({ initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.3 }, seed);
      return Array.from({ length: 12 }, () => b.next());
    };
    const a = delays(7);
    expect(delays(7)).toEqual(a);
    expect(delays(8)).not.toEqual(a);
    a.forEach((d, i) => {
      const base = Math.min(30_000, 500 * 2 ** i);
      expect(d).toBeLessThanOrEqual(base);
      expect(d).toBeGreaterThanOrEqual(Math.floor(base * 0.7));
    });
  });

  it('refuses nonsense settings', () => {
    expect(() => new Backoff({ initialMs: 10, maxMs: 5 })).toThrow();
    expect(() => new Backoff({ jitter: 2 })).toThrow();
  });
});
