import { QtsError } from '../core/QtsError.js';
import type { AnyStrategyClass } from '../strategy/Strategy.js';

/**
 * Validates raw parameters against a strategy's zod schema, filling defaults. A bad value
 * fails with ERR_INVALID_PARAMS naming the parameter and what was expected.
 */
export function validateParams(strategy: AnyStrategyClass, raw: Readonly<Record<string, unknown>>): unknown {
  const result = strategy.paramsSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`);
  throw new QtsError('ERR_INVALID_PARAMS', `invalid parameters for ${strategy.id}: ${problems.join('; ')}`, {
    issues: problems,
  });
}
