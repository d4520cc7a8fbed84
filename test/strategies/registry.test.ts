import { describe, expect, it } from 'vitest';
import { QtsError } from '../../src/core/QtsError.js';
import { BUILT_IN_STRATEGIES, findStrategy } from '../../src/strategies/registry.js';
import { describeParams } from '../../src/strategy/describeParams.js';
import { FIRST_IDS, LIBRARY_IDS } from './support/builtInIds.js';

describe('built-in strategy registry', () => {
  it('lists the 22 built-ins under their ids', () => {
    expect(BUILT_IN_STRATEGIES.map((s) => s.id)).toEqual([...FIRST_IDS, ...LIBRARY_IDS]);
    for (const s of BUILT_IN_STRATEGIES) expect(findStrategy(s.id)).toBe(s);
    expect(() => findStrategy('nope')).toThrow(QtsError);
  });

  it('every strategy has defaults that validate and optimizer ranges on its numeric params', () => {
    for (const s of BUILT_IN_STRATEGIES) {
      expect(s.description.length).toBeGreaterThan(0);
      expect(s.paramsSchema.safeParse({}).success).toBe(true);
      for (const p of describeParams(s)) {
        expect(p.description, `${s.id}.${p.name}`).toBeTruthy();
        // Numeric parameters take a range, or one of a fixed set of numbers (pairs-arbitrage significance).
        if ((p.type === 'number' || p.type === 'integer') && p.enum === undefined) {
          expect(
            [p.min, p.max, p.step].every((v) => typeof v === 'number'),
            `${s.id}.${p.name}`,
          ).toBe(true);
        }
        if (p.enum !== undefined) expect(p.enum.length, `${s.id}.${p.name}`).toBeGreaterThan(1);
      }
    }
  });
});
