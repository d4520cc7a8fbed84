import { QtsError } from '../core/QtsError.js';
import type { AnyStrategyClass } from '../strategy/Strategy.js';
import { Strategy } from '../strategy/Strategy.js';

/** A class extending the engine's own Strategy (not a look-alike from another copy of it). */
function isStrategyClass(v: unknown): v is AnyStrategyClass {
  return typeof v === 'function' && v.prototype instanceof Strategy;
}

/**
 * Has the shape of a strategy class (a prototype with onBar) without extending the engine's
 * Strategy: its base came from another copy of this code (an npm install, a relative path
 * into a checkout), so the engine would not recognize it.
 */
function looksLikeStrategyClass(v: unknown): boolean {
  return (
    typeof v === 'function' && typeof (v.prototype as { onBar?: unknown } | undefined)?.onBar === 'function'
  );
}

/** What a runner needs of the class beyond extending Strategy: its id, description and zod params schema. */
function checkStatics(cls: AnyStrategyClass, file: string, name: string): AnyStrategyClass {
  const statics = cls as unknown as Record<string, unknown>;
  const missing: string[] = [];
  if (typeof statics['id'] !== 'string' || statics['id'] === '')
    missing.push('static id (a non-empty string)');
  if (typeof statics['description'] !== 'string') missing.push('static description (a string)');
  const schema = statics['paramsSchema'] as { safeParse?: unknown } | undefined;
  if (typeof schema?.safeParse !== 'function')
    missing.push(
      "static paramsSchema (a zod schema, e.g. z.object({...}) with z from 'quant-trading-system/strategy')",
    );
  if (missing.length > 0)
    throw new QtsError(
      'ERR_STRATEGY_FILE_INVALID_CLASS',
      `${file}: strategy class ${name} lacks ${missing.join(', ')}`,
      { file },
    );
  return cls;
}

/**
 * The strategy class a strategy file exports: its default export, or else its one exported
 * Strategy subclass. No such class, several without a default, or a class without the static
 * id, description and paramsSchema every strategy has fail with a coded error naming the file.
 */
export function strategyOfModule(exports: Readonly<Record<string, unknown>>, file: string): AnyStrategyClass {
  const fallback = exports['default'];
  if (isStrategyClass(fallback)) return checkStatics(fallback, file, fallback.name || 'default');
  const found = Object.entries(exports).filter(([key, v]) => key !== 'default' && isStrategyClass(v));
  const [first] = found;
  if (first !== undefined && found.length === 1)
    return checkStatics(first[1] as AnyStrategyClass, file, first[0]);
  if (found.length > 1)
    throw new QtsError(
      'ERR_STRATEGY_FILE_AMBIGUOUS',
      `${file} exports several strategy classes (${found.map(([k]) => k).join(', ')}): export the one to run as default`,
      { file },
    );
  const foreign = Object.entries(exports).filter(([, v]) => looksLikeStrategyClass(v));
  throw new QtsError(
    'ERR_STRATEGY_FILE_NO_STRATEGY',
    foreign.length > 0
      ? `${file}: ${foreign.map(([k]) => k).join(', ')} extends a Strategy that is not the engine's; import it from 'quant-trading-system/strategy'`
      : `${file} exports no Strategy subclass (a default export or one exported class extending Strategy from 'quant-trading-system/strategy')`,
    { file },
  );
}
