import { describe, expect, it } from 'vitest';
import { LastTwo } from '../../src/core/LastTwo.js';

describe('LastTwo', () => {
  it('converts each of two alternating keys once, and forgets the older of two on a third', () => {
    const seen: string[] = [];
    const memo = new LastTwo((k: string) => {
      seen.push(k);
      return k.length;
    });
    expect([memo.of('BUY'), memo.of('SELL'), memo.of('BUY'), memo.of('SELL')]).toEqual([3, 4, 3, 4]);
    expect(seen).toEqual(['BUY', 'SELL']);
    memo.of('HOLD'); // evicts BUY, the older
    memo.of('SELL');
    memo.of('BUY');
    expect(seen).toEqual(['BUY', 'SELL', 'HOLD', 'BUY']);
  });

  it('compares bigint keys by value, not by object', () => {
    let calls = 0;
    const memo = new LastTwo((k: bigint) => {
      calls++;
      return Number(k);
    });
    const big = 10n ** 30n;
    expect(memo.of(big + 1n)).toBe(1e30);
    expect(memo.of(big + 1n)).toBe(1e30);
    expect(calls).toBe(1);
  });
});
