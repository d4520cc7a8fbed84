import { register } from 'node:module';

/**
 * The specifiers a strategy file imports the engine by, and the engine module each one is (a
 * path from here, without extension: the .ts sources or the compiled .js, as this module is).
 */
const PUBLIC_MODULES: Readonly<Record<string, string>> = {
  'quant-trading-system/strategy': '../strategy/public',
  'quant-trading-system/indicators': '../strategy/indicators',
};

/**
 * Marks the URL of a JavaScript strategy file to be imported as it is: from the sources, tsx
 * would take `x.js` imported by a .ts module (ours) as `x.ts` when both exist.
 */
export const EXACT_FILE = '?qts-exact-file';

/**
 * A resolve hook, run by Node on its hooks thread:
 * - each public specifier is the engine's own module, the one the engine runs (class identity).
 *   A package.json self-reference would not do: it resolves only from files inside this
 *   package, and a strategy file may be anywhere;
 * - a URL marked EXACT_FILE is that very file;
 * - a TypeScript file outside node_modules is an ES module: with no package.json saying
 *   "type": "module" around it, tsx would compile it to CommonJS, which cannot load the engine.
 * Plain JavaScript in a data: URL, so it loads the same from the sources and from dist/.
 */
const ALIAS_HOOK = `
let urls = new Map();
export function initialize(data) { urls = new Map(Object.entries(data.urls)); }
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('file:') && specifier.endsWith(${JSON.stringify(EXACT_FILE)}))
    return { url: specifier.slice(0, -${EXACT_FILE.length}), shortCircuit: true };
  const url = urls.get(specifier);
  // On through the chain, so tsx's loader takes the engine's .ts sources as it does their importers.
  if (url !== undefined) return next(url, context);
  const resolved = await next(specifier, context);
  if (/^file:.*\\.ts$/.test(resolved.url) && !resolved.url.includes('/node_modules/') &&
      (resolved.format === undefined || resolved.format === null || /^commonjs/.test(resolved.format)))
    return { ...resolved, format: 'module' };
  return resolved;
}
`;

/** This module runs from the TypeScript sources, so tsx's loader is on (bin/qts.js, siblingWorker). */
const FROM_SOURCES = import.meta.url.endsWith('.ts');

/** tsx's loader, once registered in this thread (for the compiled engine; from the sources it is on). */
let tsx: Promise<void> | undefined;
let aliasRegistered = false;

/**
 * Readies this thread to import a strategy file: tsx's loader for a TypeScript file when the
 * compiled engine runs (from the sources it is on already), then the public specifiers. The
 * alias is registered last so it runs first; both once per thread (a worker thread does not
 * inherit its parent's hooks on Node 20, so each registers its own; where it does, the second
 * alias is never reached).
 */
export async function registerStrategyFileHooks(file: string): Promise<void> {
  if (!FROM_SOURCES && /\.m?ts$/.test(file))
    await (tsx ??= import('tsx/esm/api').then((api) => {
      api.register();
    }));
  if (aliasRegistered) return;
  const ext = FROM_SOURCES ? '.ts' : '.js';
  const urls = Object.fromEntries(
    Object.entries(PUBLIC_MODULES).map(([specifier, path]) => [
      specifier,
      new URL(`${path}${ext}`, import.meta.url).href,
    ]),
  );
  register(`data:text/javascript,${encodeURIComponent(ALIAS_HOOK)}`, import.meta.url, { data: { urls } });
  aliasRegistered = true;
}
