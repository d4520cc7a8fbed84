import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { QtsError, isQtsError } from '../core/QtsError.js';
import { isStrategyPath, loadStrategy } from '../strategies/loadStrategy.js';
import type { AnyStrategyClass } from '../strategy/Strategy.js';

/**
 * A `--strategy` value as a worker thread or another process must be given it: a built-in id
 * as it is, a strategy file as its absolute path (a relative path is of the directory qts was
 * started in, which a worker elsewhere does not share).
 */
export function absoluteStrategyRef(ref: string, cwd: string = process.cwd()): string {
  return isStrategyPath(ref) ? resolve(cwd, ref) : ref;
}

/**
 * The strategy class a `--strategy` value names: a built-in id (only that strategy's module is
 * loaded), or a strategy file (`.`/`/` first, or a .ts/.mts/.js/.mjs name; relative to the
 * current directory), whose default export or single exported Strategy subclass is taken.
 */
export async function loadStrategyRef(ref: string): Promise<AnyStrategyClass> {
  if (!isStrategyPath(ref)) return loadStrategy(ref);
  const file = resolve(ref);
  if (!existsSync(file) || !statSync(file).isFile())
    throw new QtsError('ERR_STRATEGY_FILE_NOT_FOUND', `strategy file not found: ${ref} (${file})`, { file });
  if (!/\.(ts|mts|js|mjs)$/.test(file))
    throw new QtsError(
      'ERR_STRATEGY_FILE_TYPE',
      `${file}: a strategy file is a .ts, .mts, .js or .mjs ES module`,
      { file },
    );
  const { EXACT_FILE, registerStrategyFileHooks } = await import('./strategyFileHooks.js');
  await registerStrategyFileHooks(file);
  // A TypeScript file goes through tsx's resolution; a JavaScript one is taken as it is.
  const url = pathToFileURL(file).href + (/\.m?js$/.test(file) ? EXACT_FILE : '');
  let exports: Record<string, unknown>;
  try {
    exports = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    if (isQtsError(e)) throw e;
    throw new QtsError(
      'ERR_STRATEGY_FILE_LOAD',
      `${file} failed to load: ${e instanceof Error ? e.message : String(e)}`,
      { file },
    );
  }
  const { strategyOfModule } = await import('../strategies/strategyOfModule.js');
  return strategyOfModule(exports, file);
}
