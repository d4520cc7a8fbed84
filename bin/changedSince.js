// Whether a build is older than its sources, for the launchers that choose or make builds
// (bin/qts.js, web/ensureBuilt.ts): plain JavaScript, as bin/qts.js runs before any loader.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * True when some file under `dir` was modified after `time` (ms since the epoch); stops at the
 * first one. Throws what the file system throws (a dangling link, a permission).
 * @param {string} dir
 * @param {number} time
 * @returns {boolean}
 */
export function changedSince(dir, time) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (changedSince(path, time)) return true;
    } else if (statSync(path).mtimeMs > time) return true;
  }
  return false;
}
