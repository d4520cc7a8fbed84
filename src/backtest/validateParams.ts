import { QtsError } from '../core/QtsError.js';
import { declaredParamNames } from '../strategy/describeParams.js';
import type { AnyStrategyClass } from '../strategy/Strategy.js';

/**
 * Validates raw parameters against a strategy's zod schema, filling defaults. A bad value
 * fails with ERR_INVALID_PARAMS naming the parameter and what was expected; so does a name
 * the strategy does not declare, which zod would drop silently: `fats=5` must not run the
 * default `fast` unnoticed.
 */
export function validateParams(strategy: AnyStrategyClass, raw: Readonly<Record<string, unknown>>): unknown {
  const declared = declaredParamNames(strategy);
  const unknown = declared === undefined ? [] : Object.keys(raw).filter((name) => !declared.has(name));
  const problems: string[] = [];
  if (unknown.length > 0) {
    const takes = declared !== undefined && declared.size > 0 ? [...declared].join(', ') : 'no parameters';
    problems.push(
      `${unknown.join(', ')}: unknown parameter${unknown.length > 1 ? 's' : ''} (${strategy.id} takes ${takes})`,
    );
  }
  const result = strategy.paramsSchema.safeParse(raw);
  if (result.success && problems.length === 0) return result.data;
  if (!result.success)
    for (const i of result.error.issues) problems.push(`${i.path.join('.') || '(params)'}: ${i.message}`);
  throw new QtsError('ERR_INVALID_PARAMS', `invalid parameters for ${strategy.id}: ${problems.join('; ')}`, {
    issues: problems,
  });
}
