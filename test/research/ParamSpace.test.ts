import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isQtsError } from '../../src/core/QtsError.js';
import {
  buildParamSpace,
  comboAt,
  indexOf,
  validCombo,
  valueIndicesOf,
} from '../../src/research/ParamSpace.js';
import { BUILT_IN_STRATEGIES, findStrategy } from '../../src/strategies/registry.js';
import { describeParams } from '../../src/strategy/describeParams.js';

const sma = findStrategy('sma-cross');

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isQtsError(e) ? e.code : 'not a QtsError';
  }
  return undefined;
}

describe('buildParamSpace', () => {
  it('enumerates exactly the declared space of every built-in (values from min to max in the declared step)', () => {
    for (const s of BUILT_IN_STRATEGIES) {
      let space;
      try {
        space = buildParamSpace(s);
      } catch (e) {
        // A declared range too long to enumerate is refused with a code, never silently cut.
        expect(isQtsError(e, 'ERR_OPTIMIZE_SPACE_TOO_LARGE')).toBe(true);
        continue;
      }
      for (const p of describeParams(s)) {
        const axis = space.axes.find((a) => a.name === p.name);
        if (p.default === undefined) {
          expect(axis).toBeUndefined();
          continue;
        }
        if (p.enum) {
          expect(axis?.values).toEqual(p.enum);
        } else if (p.min !== undefined && p.max !== undefined && p.step !== undefined) {
          const values = axis?.values as number[];
          expect(values[0]).toBe(p.min);
          // The last value is the last step at or below max (max itself when it is on the grid).
          expect(values.at(-1) as number).toBeLessThanOrEqual(p.max + 1e-9);
          expect((values.at(-1) as number) + p.step).toBeGreaterThan(p.max + 1e-9);
          const expectedCount = Math.floor((p.max - p.min) / p.step + 1e-9) + 1;
          expect(values.length).toBe(expectedCount);
          for (let i = 1; i < values.length; i++)
            expect((values[i] as number) - (values[i - 1] as number)).toBeCloseTo(p.step, 9);
        }
      }
      expect(space.size).toBe(space.axes.reduce((n, a) => n * a.values.length, 1));
    }
  });

  it('sma-cross without overrides is fast 2..200 × slow 3..500', () => {
    const space = buildParamSpace(sma);
    expect(space.axes.map((a) => [a.name, a.values.length, a.values[0], a.values.at(-1)])).toEqual([
      ['fast', 199, 2, 200],
      ['slow', 498, 3, 500],
    ]);
  });

  it('parses ranges, lists and fixed values; only named parameters vary, in declared order', () => {
    const space = buildParamSpace(sma, ['slow=20,30,50', 'fast=5:30:5']);
    expect(space.axes).toEqual([
      { name: 'fast', values: [5, 10, 15, 20, 25, 30] },
      { name: 'slow', values: [20, 30, 50] },
    ]);
    expect(buildParamSpace(sma, ['fast=7']).axes).toEqual([{ name: 'fast', values: [7] }]);
    expect(buildParamSpace(sma, ['fast=2:4']).axes[0]?.values).toEqual([2, 3, 4]);
    const boll = buildParamSpace(findStrategy('bollinger'), ['k=1:2:0.1', 'exitAt']);
    expect(boll.axes[0]?.values).toEqual([1, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9, 2]);
    expect(boll.axes[1]?.values).toEqual(['middle', 'upper']);
  });

  it('refuses bad input with a coded error', () => {
    expect(codeOf(() => buildParamSpace(sma, ['nope=1:2']))).toBe('ERR_OPTIMIZE_UNKNOWN_PARAM');
    expect(codeOf(() => buildParamSpace(sma, ['fast=10:5']))).toBe('ERR_OPTIMIZE_BAD_RANGE');
    expect(codeOf(() => buildParamSpace(sma, ['fast=1:5']))).toBe('ERR_OPTIMIZE_BAD_RANGE'); // below min 2
    expect(codeOf(() => buildParamSpace(sma, ['fast=5:10:0']))).toBe('ERR_OPTIMIZE_BAD_RANGE');
    expect(codeOf(() => buildParamSpace(sma, ['fast=a:b']))).toBe('ERR_OPTIMIZE_BAD_RANGE');
    expect(codeOf(() => buildParamSpace(sma, ['fast=2.5']))).toBe('ERR_OPTIMIZE_BAD_RANGE'); // integer
    expect(codeOf(() => buildParamSpace(sma, ['fast=5', 'fast=6']))).toBe('ERR_OPTIMIZE_BAD_RANGE');
    expect(codeOf(() => buildParamSpace(findStrategy('bollinger'), ['exitAt=lower']))).toBe(
      'ERR_OPTIMIZE_BAD_RANGE',
    );
    expect(codeOf(() => buildParamSpace(findStrategy('dca')))).toBe('ERR_OPTIMIZE_SPACE_TOO_LARGE');
  });

  it('grid indices and value indices are inverse, and every index names a distinct combination', () => {
    const space = buildParamSpace(findStrategy('rsi'), [
      'period=5:20:5',
      'oversold=20,25,30',
      'overbought=70:80:5',
    ]);
    const seen = new Set<string>();
    for (let i = 0; i < space.size; i++) seen.add(JSON.stringify(comboAt(space, i)));
    expect(seen.size).toBe(space.size);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: space.size - 1 }), (i) => {
        expect(indexOf(space, valueIndicesOf(space, i))).toBe(i);
        const combo = comboAt(space, i);
        valueIndicesOf(space, i).forEach((k, a) =>
          expect(combo[space.axes[a]?.name as string]).toBe(space.axes[a]?.values[k]),
        );
      }),
    );
  });

  it('searches a parameter with a fixed set of numeric values (pairs-arbitrage significance) as numbers', () => {
    const pairs = findStrategy('pairs-arbitrage');
    expect(buildParamSpace(pairs, ['significance']).axes).toEqual([
      { name: 'significance', values: [0.01, 0.05, 0.1] },
    ]);
    const space = buildParamSpace(pairs, ['significance=0.01,0.1']);
    expect(space.axes[0]?.values).toEqual([0.01, 0.1]);
    for (let i = 0; i < space.size; i++) expect(validCombo(pairs, comboAt(space, i))).toEqual({ ok: true });
    expect(codeOf(() => buildParamSpace(pairs, ['significance=0.02']))).toBe('ERR_OPTIMIZE_BAD_RANGE');
    // Every built-in parameter has a type the optimizer and `qts strategies` understand.
    for (const s of BUILT_IN_STRATEGIES)
      for (const p of describeParams(s))
        expect(['integer', 'number', 'string', 'boolean'], `${s.id}.${p.name}`).toContain(p.type);
  });

  it('lets the strategy judge constraints between parameters', () => {
    expect(validCombo(sma, { fast: 10, slow: 30 })).toEqual({ ok: true });
    const bad = validCombo(sma, { fast: 30, slow: 30 });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.reason).toMatch(/fast must be smaller than slow/);
  });
});
