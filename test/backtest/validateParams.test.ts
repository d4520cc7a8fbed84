import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { validateParams } from '../../src/backtest/validateParams.js';
import { BUILT_IN_STRATEGIES, findStrategy } from '../../src/strategies/registry.js';
import { describeParams } from '../../src/strategy/describeParams.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import { caught } from '../data/caught.js';

describe('validateParams: parameter names', () => {
  it('refuses a name the strategy does not declare, listing the names it takes, instead of dropping it', () => {
    const e = caught(() => validateParams(findStrategy('sma-cross'), { fats: 5, fast: 5, typo: 1 }));
    expect(e.code).toBe('ERR_INVALID_PARAMS');
    expect(e.message).toBe(
      'invalid parameters for sma-cross: fats, typo: unknown parameters (sma-cross takes fast, slow)',
    );
  });

  it('reports an unknown name together with the bad values', () => {
    const e = caught(() => validateParams(findStrategy('sma-cross'), { fats: 5, fast: 500 }));
    expect(e.message).toMatch(/fats: unknown parameter \(sma-cross takes fast, slow\); fast: /);
  });

  it.each(BUILT_IN_STRATEGIES.map((s) => [s.id, s] as const))(
    '%s accepts every parameter it declares, at its default',
    (_id, strategy) => {
      const params = Object.fromEntries(
        describeParams(strategy)
          .filter((p) => p.default !== undefined)
          .map((p) => [p.name, p.default]),
      );
      expect(Object.keys(params).length).toBeGreaterThan(0);
      expect(() => validateParams(strategy, params)).not.toThrow();
    },
  );

  it('lets a strategy whose schema takes any key (z.looseObject) have them', () => {
    class Loose extends Strategy<{ n: number }> {
      static readonly id = 'loose';
      static readonly description = 'takes any parameter';
      static readonly paramsSchema = z.looseObject({ n: z.number().default(1) });
    }
    expect(validateParams(Loose, { n: 2, extra: 'kept' })).toEqual({ n: 2, extra: 'kept' });
  });
});
