/**
 * Where a restarted position's round trip began, read back from the journal: the newest fills
 * that add up to the position (across pages), their settle-currency fees and the strategy of
 * the newest one.
 */
import { describe, expect, it } from 'vitest';
import { parseFixed } from '../../src/core/Fixed.js';
import { openTripFromFills } from '../../src/app/openTripFromFills.js';
import type { FillRecord } from '../../src/storage/sqlite/FillStore.js';

function fill(
  i: number,
  side: 'BUY' | 'SELL',
  qty: string,
  fee: string,
  strategyId = 's1',
  feeCurrency = 'USDT',
): FillRecord {
  return {
    orderId: `o${i}`,
    tradeId: `t${i}`,
    strategyId,
    symbol: 'BTC/USDT',
    side,
    qty: parseFixed(qty),
    px: parseFixed('100'),
    fee: parseFixed(fee),
    feeCurrency,
    liquidity: 'TAKER',
    ts: i,
  };
}

/** A journal read newest first, `limit` at a time, as FillStore.list pages it. */
function pages(oldestFirst: readonly FillRecord[]): (limit: number, offset: number) => FillRecord[] {
  const newest = [...oldestFirst].reverse();
  return (limit, offset) => newest.slice(offset, offset + limit);
}

describe('openTripFromFills', () => {
  it('stops at the fill that opened the trip from flat: earlier trips are not in it', () => {
    const journal = [
      fill(1, 'BUY', '1', '0.5', 'old'),
      fill(2, 'SELL', '1', '0.5', 'old'),
      fill(3, 'BUY', '0.3', '0.1', 's1'),
      fill(4, 'BUY', '0.2', '0.1', 's1', 'BTC'),
      fill(5, 'SELL', '0.1', '0.2', 's2'),
    ];
    // 0.3 + 0.2 − 0.1: fees in USDT only (the BTC fee is in the PnL already), exact then converted.
    expect(openTripFromFills(pages(journal), parseFixed('0.4'), 'USDT')).toEqual({
      strategyId: 's2',
      fees: 0.3,
    });
  });

  it('a short adds up with sells, across pages of 500', () => {
    const journal = [fill(0, 'BUY', '5', '9', 'old'), fill(1, 'SELL', '5', '9', 'old')];
    for (let i = 2; i < 1202; i++) journal.push(fill(i, 'SELL', '0.001', '0.01'));
    const trip = openTripFromFills(pages(journal), parseFixed('-1.2'), 'USDT');
    expect(trip?.strategyId).toBe('s1');
    expect(trip?.fees).toBeCloseTo(12, 9);
  });

  it('no fill of the symbol: no trip to resume', () => {
    expect(openTripFromFills(pages([]), parseFixed('1'), 'USDT')).toBeUndefined();
  });
});
