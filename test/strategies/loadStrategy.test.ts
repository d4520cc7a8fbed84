import { describe, expect, it } from 'vitest';
import { isQtsError } from '../../src/core/QtsError.js';
import { STRATEGY_LOADERS, loadStrategy } from '../../src/strategies/loadStrategy.js';
import { BUILT_IN_STRATEGIES, findStrategy } from '../../src/strategies/registry.js';

describe('loadStrategy', () => {
  it('knows every built-in strategy, in the registry order, and loads the very class findStrategy gives', async () => {
    expect([...STRATEGY_LOADERS.keys()]).toEqual(BUILT_IN_STRATEGIES.map((s) => s.id));
    for (const s of BUILT_IN_STRATEGIES) {
      const loaded = await loadStrategy(s.id);
      expect(loaded, s.id).toBe(findStrategy(s.id));
      expect(loaded.id).toBe(s.id);
    }
  });

  it('an unknown id fails as findStrategy does: ERR_UNKNOWN_STRATEGY listing the ids', async () => {
    const error: unknown = await loadStrategy('nope').catch((e: unknown) => e);
    expect(isQtsError(error) && error.code).toBe('ERR_UNKNOWN_STRATEGY');
    expect((error as Error).message).toBe(
      `unknown strategy "nope"; available: ${BUILT_IN_STRATEGIES.map((s) => s.id).join(', ')}`,
    );
  });
});
