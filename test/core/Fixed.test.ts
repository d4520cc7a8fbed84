import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ZERO,
  add,
  div,
  divTrunc,
  floorToStep,
  formatFixed,
  fromNumber,
  isMultipleOf,
  mul,
  mulDiv,
  parseFixed,
  roundToStep,
  sub,
  toFixed,
  toNumber,
} from '../../src/core/Fixed.js';
import type { Fixed } from '../../src/core/Fixed.js';
import { isQtsError } from '../../src/core/QtsError.js';

describe('Fixed', () => {
  it('parses decimals, exponents and signs exactly', () => {
    expect(formatFixed(parseFixed('0.1'))).toBe('0.1');
    expect(formatFixed(parseFixed('-12.5e-3'))).toBe('-0.0125');
    expect(formatFixed(parseFixed('1e3'))).toBe('1000');
    expect(formatFixed(parseFixed('.5'))).toBe('0.5');
    expect(formatFixed(parseFixed('+7.'))).toBe('7');
    expect(formatFixed(fromNumber(1e-7))).toBe('0.0000001');
  });

  it('rounds beyond 16 places half to even', () => {
    expect(formatFixed(parseFixed('0.00000000000000005'))).toBe('0');
    expect(formatFixed(parseFixed('0.00000000000000015'))).toBe('0.0000000000000002');
    expect(formatFixed(parseFixed('0.00000000000000025'))).toBe('0.0000000000000002');
    expect(formatFixed(parseFixed('-0.00000000000000015'))).toBe('-0.0000000000000002');
  });

  it('rejects what is not a number with a code', () => {
    for (const bad of ['', 'abc', '1.2.3', '--1', 'NaN', '1e']) {
      expect(() => parseFixed(bad), bad).toThrowError();
      try {
        parseFixed(bad);
      } catch (e) {
        expect(isQtsError(e, 'ERR_INVALID_DECIMAL')).toBe(true);
      }
    }
    expect(() => fromNumber(Number.NaN)).toThrowError(/finite/);
    expect(() => fromNumber(Infinity)).toThrowError(/finite/);
  });

  it('bounds exponents: far past any amount is refused with a code, far below a unit is 0, at once', () => {
    const started = performance.now();
    for (const huge of ['1e999999999', '-2.5e30000000', `1e${'9'.repeat(400)}`, '1e1001']) {
      let err: unknown;
      try {
        parseFixed(huge);
      } catch (e) {
        err = e;
      }
      expect(isQtsError(err, 'ERR_INVALID_DECIMAL'), huge).toBe(true);
    }
    for (const tiny of ['1e-999999999', '-4e-17', `5e-${'9'.repeat(400)}`])
      expect(parseFixed(tiny)).toBe(ZERO);
    // The largest double and 10^1000 still parse exactly; zero with any exponent is zero.
    expect(formatFixed(parseFixed('1e1000'))).toBe(`1${'0'.repeat(1000)}`);
    expect(formatFixed(fromNumber(Number.MAX_VALUE))).toBe(`17976931348623157${'0'.repeat(292)}`);
    expect(parseFixed('0e999999999')).toBe(ZERO);
    // Before the bound, 1e999999999 built a power of ten for minutes.
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('converts floats through their shortest decimal form', () => {
    expect(formatFixed(fromNumber(0.1 + 0.2))).toBe('0.3');
    expect(formatFixed(fromNumber(0.09946999000000001))).toBe('0.09946999');
    expect(toNumber(fromNumber(123.456))).toBe(123.456);
  });

  it('one million additions of 0.1 make exactly 100000', () => {
    const tenth = toFixed('0.1');
    let sum: Fixed = ZERO;
    for (let i = 0; i < 1_000_000; i++) sum = add(sum, tenth);
    expect(formatFixed(sum)).toBe('100000');
  });

  it('multiplies and divides with one rounding', () => {
    expect(formatFixed(mul(toFixed('1.5'), toFixed('2.25')))).toBe('3.375');
    expect(formatFixed(div(toFixed(1), toFixed(3)))).toBe('0.3333333333333333');
    expect(formatFixed(div(toFixed(2), toFixed(3)))).toBe('0.6666666666666667');
    expect(formatFixed(divTrunc(toFixed(2), toFixed(3)))).toBe('0.6666666666666666');
    expect(formatFixed(mulDiv(toFixed(10), toFixed(1), toFixed(3)))).toBe('3.3333333333333333');
    expect(() => div(toFixed(1), ZERO)).toThrowError(/division by zero/);
  });

  it('steps: floor, round and multiple checks', () => {
    expect(formatFixed(floorToStep(toFixed('1.23456'), toFixed('0.01')))).toBe('1.23');
    expect(formatFixed(roundToStep(toFixed('1.235'), toFixed('0.01')))).toBe('1.24');
    expect(formatFixed(roundToStep(toFixed('1.225'), toFixed('0.01')))).toBe('1.22');
    expect(isMultipleOf(toFixed('0.3'), toFixed('0.1'))).toBe(true);
    expect(isMultipleOf(toFixed('0.35'), toFixed('0.1'))).toBe(false);
  });

  it('fromNumber equals parsing the shortest decimal form, fast path included (property)', () => {
    const eightDecimals = fc.integer({ min: -4e15, max: 4e15 }).map((n) => n / 1e8);
    const any = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 });
    fc.assert(
      fc.property(fc.oneof(eightDecimals, any), (x) => {
        expect(fromNumber(x)).toBe(parseFixed(String(x)));
      }),
      { numRuns: 20_000 },
    );
  });

  it('the plain-decimal fast path agrees with the general parser (property)', () => {
    const text = fc
      .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 25n }), fc.integer({ min: 0, max: 16 }))
      .map(([negative, digits, decimals]) => {
        const d = digits.toString().padStart(decimals + 1, '0');
        const body =
          decimals === 0 ? d : `${d.slice(0, d.length - decimals)}.${d.slice(d.length - decimals)}`;
        return `${negative ? '-' : ''}${body}`;
      });
    fc.assert(
      fc.property(text, (s) => {
        // A leading '+' sends the same number through the general (regex) parser.
        const general = s.startsWith('-')
          ? parseFixed(`-+${s.slice(1)}`.replace('-+', '-'))
          : parseFixed(`+${s}`);
        expect(parseFixed(s)).toBe(general);
        expect(parseFixed(s)).toBe(parseFixed(`${s}e0`));
      }),
      { numRuns: 5000 },
    );
  });

  it('format and parse round-trip any value (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (n) => {
        const x = n as Fixed;
        expect(parseFixed(formatFixed(x))).toBe(x);
      }),
    );
  });

  it('a + b − b = a (property)', () => {
    const arb = fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n }).map((n) => n as Fixed);
    fc.assert(
      fc.property(arb, arb, (a, b) => {
        expect(sub(add(a, b), b)).toBe(a);
      }),
    );
  });
});
