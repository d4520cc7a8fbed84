import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TradeLog } from '../../src/backtest/TradeLog.js';
import type { Fixed } from '../../src/core/Fixed.js';
import { formatFixed } from '../../src/core/Fixed.js';
import type { OrderFilled } from '../../src/model/events.js';
import { Liquidity, OrderSide } from '../../src/model/enums.js';

/** The trade log as it was first defined: one template line per fill. */
function referenceLog(fills: readonly OrderFilled[]): string {
  let text = '';
  for (const e of fills) {
    text += `${e.ts},${e.orderId},${e.tradeId},${e.symbol},${e.side},${formatFixed(e.lastQty)},${formatFixed(e.lastPx)},${formatFixed(e.fee)},${e.feeCurrency}\n`;
  }
  return text;
}

const sha = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

const fixed = (max: bigint): fc.Arbitrary<Fixed> => fc.bigInt({ min: 0n, max }).map((v) => v as Fixed);

// Ids and symbols: mostly ASCII, sometimes any Unicode (the log is UTF-8), lone surrogates included.
const text = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9/_:-]{0,12}$/),
  fc.string({ unit: 'binary', maxLength: 8 }),
);

// Timestamps: ms of this era, the ends of the fast path, and values it must hand to String().
const ts = fc.oneof(
  fc.integer({ min: 1_500_000_000_000, max: 2_000_000_000_000 }),
  fc.constantFrom(0, 9, 10, 99_999_999, 100_000_000, 100_000_001, 1e16 - 1, 1e16, 2 ** 53, -1, 0.5, -0),
  fc.double({ noNaN: true }),
);

// Amounts at the ends of the log's 64-bit path, at multiples of 1e8 and 1e16, and negative ones.
const edge: fc.Arbitrary<Fixed> = fc
  .tuple(
    fc.constantFrom(
      0n,
      1n,
      10n ** 8n,
      10n ** 16n,
      2n ** 53n,
      2n ** 63n,
      2n ** 64n,
      1844n * 10n ** 16n,
      123n * 10n ** 16n + 5n * 10n ** 8n,
    ),
    fc.bigInt({ min: -2n, max: 2n }),
    fc.boolean(),
  )
  .map(([base, offset, negative]) => ((negative ? -1n : 1n) * (base + offset)) as Fixed);

const fill: fc.Arbitrary<OrderFilled> = fc.record({
  type: fc.constant('OrderFilled' as const),
  eventId: fc.constant('e'),
  orderId: text,
  tradeId: text,
  strategyId: fc.constant('s'),
  symbol: text,
  ts,
  side: fc.constantFrom(OrderSide.BUY, OrderSide.SELL),
  lastQty: fixed(10n ** 24n),
  // Prices above and below one unit (the digits are written around the point, or after '0.').
  lastPx: fc.oneof(fixed(10n ** 22n), fixed(10n ** 16n), fixed(1000n), edge),
  fee: fc.oneof(fc.constant(0n as Fixed), fixed(10n ** 18n)),
  feeCurrency: text,
  liquidity: fc.constant(Liquidity.TAKER),
});

describe('TradeLog', () => {
  it('writes the bytes of the template-built log, and hashes them the same (property)', () => {
    fc.assert(
      fc.property(fc.array(fill, { maxLength: 40 }), (fills) => {
        const expected = referenceLog(fills);
        const log = new TradeLog(fills);
        expect(log.toString()).toBe(Buffer.from(expected, 'utf8').toString('utf8'));
        expect(log.sha256()).toBe(sha(expected));
      }),
      { numRuns: 300 },
    );
  });

  it('grows past its first buffer without losing a byte', () => {
    const one = fc.sample(fill, { numRuns: 1, seed: 7 })[0] as OrderFilled;
    // 64 KiB first buffer; lines of ~80-200 bytes: a few thousand lines grow it several times.
    const fills = Array.from({ length: 5_000 }, (_, k) => ({
      ...one,
      ts: 1_700_000_000_000 + k,
      orderId: `o${k}`,
    }));
    const expected = referenceLog(fills);
    expect(expected.length).toBeGreaterThan(1 << 17);
    expect(new TradeLog(fills).sha256()).toBe(sha(expected));
  });

  it('an empty run has the empty log', () => {
    const log = new TradeLog([]);
    expect(log.toString()).toBe('');
    expect(log.sha256()).toBe(sha(''));
  });
});
