/*
 * `npm start`'s prestart: a fresh `npm ci && npm start` has no dist/web yet, and the first
 * thing a newcomer opens is the dashboard. Builds it when missing or older than its sources
 * (a few seconds); never fails the start — the engine runs without a dashboard and says so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { changedSince } from '../bin/changedSince.js';

const web = fileURLToPath(new URL('.', import.meta.url));
const built = join(web, '..', 'dist', 'web', 'index.html');

const builtAt = existsSync(built) ? statSync(built).mtimeMs : -1;
const stale =
  builtAt < 0 ||
  changedSince(join(web, 'src'), builtAt) ||
  statSync(join(web, 'index.html')).mtimeMs > builtAt;
if (stale) {
  console.log('building the web dashboard (dist/web)…');
  const r = spawnSync(
    process.execPath,
    [
      join(web, '..', 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      join(web, 'vite.config.ts'),
      '--logLevel',
      'warn',
    ],
    {
      stdio: 'inherit',
    },
  );
  if (r.status !== 0)
    console.warn(
      'the web dashboard could not be built (is vite installed? npm ci): the engine starts without it',
    );
}
