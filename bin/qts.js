#!/usr/bin/env node
// Picks the code `qts` runs. In a checkout that has been built (`npm run build`) and not edited
// since, the compiled dist/ starts about twice as fast as the TypeScript sources through tsx;
// once any file under src/ (or a tsconfig) is newer than the build, the sources run, so the CLI
// never lags behind an edit. A package without sources always runs dist/. QTS_USE_DIST=1 forces
// the build, QTS_USE_DIST=0 the sources.
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { changedSince } from './changedSince.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src', 'cli', 'main.ts');
const built = join(root, 'dist', 'cli', 'main.js');

/**
 * Whether dist/ was built after the last change to the sources it is compiled from. Anything
 * unreadable on the way (a dangling link, a permission) means "not sure": the sources run.
 */
function buildIsFresh() {
  try {
    if (!existsSync(built)) return false;
    const builtAt = statSync(built).mtimeMs;
    const configs = ['tsconfig.json', 'tsconfig.build.json'].map((f) => join(root, f));
    if (configs.some((f) => existsSync(f) && statSync(f).mtimeMs > builtAt)) return false;
    return !changedSince(join(root, 'src'), builtAt);
  } catch {
    return false;
  }
}

const choice = process.env.QTS_USE_DIST;
const useSources = existsSync(source) && (choice === '0' || (choice !== '1' && !buildIsFresh()));
if (useSources) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
} else {
  await import(pathToFileURL(built).href);
}
