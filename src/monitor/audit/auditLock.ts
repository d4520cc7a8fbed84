import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { QtsError } from '../../core/QtsError.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Lock files this process holds: a lock naming our own pid that is not here is stale. */
const held = new Set<string>();

/**
 * One writer per audit folder: two writers would interleave two chains into one file and
 * break both. The lock file holds the writer's pid; a lock left by a dead process is taken over.
 * A lock naming this very process's pid but not taken by it is stale too: a container's
 * engine is pid 1 (or another fixed pid) on every restart, so the lock its crashed
 * predecessor left names the new process — that must not refuse the restart forever.
 */
export function acquireAuditLock(dir: string): () => void {
  const path = resolve(dir, 'audit.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx', mode: 0o640 });
      held.add(path);
      return () => {
        held.delete(path);
        rmSync(path, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(path, 'utf8').trim());
      const ours = pid === process.pid;
      if (Number.isSafeInteger(pid) && pid > 0 && (ours ? held.has(path) : alive(pid)))
        throw new QtsError(
          'ERR_AUDIT_LOCKED',
          `the audit log in ${dir} is already written by process ${pid}${ours ? ' (this one)' : ''}; one writer per folder keeps the chain intact`,
          { dir, pid },
        );
      rmSync(path, { force: true });
    }
  }
  throw new QtsError('ERR_AUDIT_LOCKED', `could not lock the audit log in ${dir}`, { dir });
}
