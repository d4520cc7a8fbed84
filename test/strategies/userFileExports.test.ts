/**
 * Which class of a strategy file's exports runs, and the coded errors of a file that has none,
 * several or an incomplete one; and where a file is refused (the API's built-in-only lookup).
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { absoluteStrategyRef } from '../../src/backtest/loadStrategyRef.js';
import { isQtsError } from '../../src/core/QtsError.js';
import { isStrategyPath, loadStrategy } from '../../src/strategies/loadStrategy.js';
import { findStrategy } from '../../src/strategies/registry.js';
import { strategyOfModule } from '../../src/strategies/strategyOfModule.js';
import { Strategy } from '../../src/strategy/Strategy.js';

class Complete extends Strategy {
  static readonly id: string = 'complete';
  static readonly description = 'has what a strategy needs';
  static readonly paramsSchema = z.object({});
}
class Other extends Complete {
  static override readonly id = 'other';
}
class NoStatics extends Strategy {}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isQtsError(e) ? e.code : `not coded: ${String(e)}`;
  }
  return undefined;
}

describe('the strategy class of a strategy file', () => {
  it('is the default export, else the one exported Strategy subclass (other exports ignored)', () => {
    expect(strategyOfModule({ default: Complete, Other, helper: () => 1 }, 'f.ts')).toBe(Complete);
    expect(strategyOfModule({ Other, VERSION: 2, helper: () => 1 }, 'f.ts')).toBe(Other);
  });

  it('none, several without a default, or one without its statics fail with their code', () => {
    expect(codeOf(() => strategyOfModule({ x: 1, f: () => 1 }, 'f.ts'))).toBe(
      'ERR_STRATEGY_FILE_NO_STRATEGY',
    );
    expect(codeOf(() => strategyOfModule({ Complete, Other }, 'f.ts'))).toBe('ERR_STRATEGY_FILE_AMBIGUOUS');
    expect(codeOf(() => strategyOfModule({ default: NoStatics }, 'f.ts'))).toBe(
      'ERR_STRATEGY_FILE_INVALID_CLASS',
    );
    // A look-alike Strategy (another copy of the engine, or home-made) is named as such.
    class LookAlike {
      onBar(): void {}
    }
    expect(() => strategyOfModule({ LookAlike }, 'f.ts')).toThrow(/not the engine's/);
  });

  it('a path-like --strategy is a file (resolved from the current directory); an id stays an id', () => {
    for (const ref of ['./a.ts', '../b/c.mts', '/abs/d.js', 'e.mjs', 'f.ts'])
      expect(isStrategyPath(ref), ref).toBe(true);
    for (const ref of ['sma-cross', 'cross-sectional-reversion', 'rsi'])
      expect(isStrategyPath(ref), ref).toBe(false);
    expect(absoluteStrategyRef('./s/a.ts', '/home/u')).toBe('/home/u/s/a.ts');
    expect(absoluteStrategyRef('sma-cross', '/home/u')).toBe('sma-cross');
  });

  it('the built-in lookups (the API backtests) refuse a file with their own code', async () => {
    expect(codeOf(() => findStrategy('./mine.ts'))).toBe('ERR_STRATEGY_FILE_NOT_ALLOWED');
    const e: unknown = await loadStrategy('/tmp/mine.js').catch((x: unknown) => x);
    expect(isQtsError(e) && e.code).toBe('ERR_STRATEGY_FILE_NOT_ALLOWED');
    expect(codeOf(() => findStrategy('nope'))).toBe('ERR_UNKNOWN_STRATEGY');
  });
});
