import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromNumber, parseFixed } from '../../src/core/Fixed.js';
import { shortestFixed } from '../../src/core/shortestFixed.js';

/** What the text path gives: the shortest round-trip decimal, parsed exactly. */
const viaText = (x: number): bigint => parseFixed(String(x));

describe('shortestFixed', () => {
  it('equals parsing String(x) whenever it answers, and answers for most prices (property)', () => {
    let answered = 0;
    let asked = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ min: 1, max: 1e15, noNaN: true }),
          fc.double({ min: -1e15, max: -1, noNaN: true }),
          fc.double({ min: 1, max: 1000, noNaN: true }),
          fc.integer({ min: 1, max: 2 ** 40 }).map((k) => k / 2 ** 20),
          fc.integer({ min: 0, max: 10 ** 9 }).map((k) => 100 + k / 1e9),
        ),
        (x) => {
          const got = shortestFixed(x);
          asked++;
          if (got === undefined) return;
          answered++;
          expect(got).toBe(viaText(x));
        },
      ),
      { numRuns: 20_000 },
    );
    expect(answered / asked).toBeGreaterThan(0.9);
  });

  it('gives the shortest form, not a longer one, near and at decade boundaries', () => {
    const samples = [
      1,
      9.999999999999998,
      10,
      99.99999999999999,
      100.04719052158909,
      0.1 + 0.2 + 1,
      123456789.12345679,
    ];
    for (let e = 0; e < 15; e++)
      samples.push(10 ** e, 10 ** e * (1 + Number.EPSILON), 10 ** e * (1 - Number.EPSILON));
    for (const x of samples) {
      const got = shortestFixed(x);
      if (got !== undefined) expect(got).toBe(viaText(x));
    }
    expect(shortestFixed(100.04719052158909)).toBe(parseFixed('100.04719052158909'));
  });

  it('leaves what it cannot prove to the text path', () => {
    expect(shortestFixed(0.5)).toBeUndefined(); // below its range
    expect(shortestFixed(1e15)).toBeUndefined();
    expect(shortestFixed(1024)).toBeUndefined(); // a power of two
    expect(shortestFixed(Number.NaN)).toBeUndefined();
  });

  it('fromNumber agrees with the text path on any finite double (property)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e20, max: 1e20 }), (x) => {
        expect(fromNumber(x)).toBe(viaText(x));
      }),
      { numRuns: 20_000 },
    );
  });
});
