import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvCursor } from '../../src/data/CsvCursor.js';
import { decimalToDouble } from '../../src/data/decimalToDouble.js';

// Reads one number per line, as the loader reads the last column of a row.
function readAll(lines: readonly string[]): number[] {
  const bytes = Buffer.from(`v\n${lines.join('\n')}\n`, 'latin1');
  const cur = new CsvCursor(bytes, 'numbers.csv', 2, 1, ['v']);
  const row = new Float64Array(1);
  const out: number[] = [];
  while (cur.nextLine()) {
    cur.numbers(row, 0);
    out.push(row[0] as number);
  }
  return out;
}

// The ways market data files spell a number: shortest round-trip (JavaScript, pandas),
// fixed decimals, 17-21 significant digits, exponents, leading zeros and signs.
const spellings = fc
  .tuple(
    fc.double({ min: 1e-12, max: 1e15, noNaN: true }),
    fc.integer({ min: 1, max: 21 }),
    fc.integer({ min: 0, max: 6 }),
  )
  .map(([x, p, k]) => [
    String(x),
    x.toPrecision(p),
    x.toExponential(p - 1),
    x.toFixed(Math.min(20, k + 8)),
    `+${x}`,
    `00${x.toPrecision(17)}`,
    x.toExponential(p - 1).toUpperCase(),
  ]);

describe('CsvCursor number parsing', () => {
  it('equals Number(text) bit for bit on every spelling of random doubles', () => {
    fc.assert(
      fc.property(fc.array(spellings, { minLength: 1, maxLength: 20 }), (groups) => {
        const texts = groups.flat();
        const got = readAll(texts);
        expect(got).toEqual(texts.map(Number));
      }),
      { numRuns: 300 },
    );
  });

  it('handles the awkward cases: ties, powers of two, long and tiny numbers', () => {
    const texts = [
      '9007199254740993', // 2^53 + 1: an exact tie between two doubles
      '9007199254740992',
      '18014398509481985',
      '0.1000000000000000055511151231257827', // 34 digits
      '123456789012345678901234567890',
      '1e-30',
      '1.7976931348623157e308',
      '4.9e-324',
      '0.09946999000000001',
      '0',
      '0.0',
      '-0',
      '.5',
      '5.',
      '-1.25e-3',
      '1099511627776', // 2^40
      '1.0000000000000002',
      '0.30000000000000004',
    ];
    expect(readAll(texts)).toEqual(texts.map(Number));
  });
});

describe('decimalToDouble', () => {
  it('is Number() or NaN (never a wrong double) for 16-19 significant digits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 19 }),
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 19, maxLength: 19 }),
        fc.integer({ min: -66, max: 66 }),
        (digits, pool, exp10) => {
          const text = `${((pool[0] ?? 0) % 9) + 1}${pool.slice(1, digits).join('')}`;
          const value = decimalToDouble(
            Number(text.slice(0, 15)),
            Number(text.slice(15)),
            digits - 15,
            exp10,
          );
          if (!Number.isNaN(value)) expect(value).toBe(Number(`${text}e${exp10}`));
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('gives up (NaN) on an exact tie instead of guessing', () => {
    expect(decimalToDouble(900719925474099, 3, 1, 0)).toBeNaN();
    expect(decimalToDouble(123456789012345, 67, 2, -5)).toBe(123456789012.34567);
    // …and only then: on ordinary 17-digit prices it answers, or it would be no faster.
    let answered = 0;
    for (let k = 0; k < 1000; k++) {
      if (!Number.isNaN(decimalToDouble(104301999999999 + k * 7919, 99 - (k % 100), 2, -18))) answered++;
    }
    expect(answered).toBeGreaterThan(990);
  });
});
