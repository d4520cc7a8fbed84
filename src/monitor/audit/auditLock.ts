import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

/**
 * One writer per audit folder: two writers would interleave two chains into one file and
 * break both. The lock file holds the writer's pid; a lock left by a dead process is taken over.
 */
export function acquireAuditLock(dir: string): () => void {
  const path = join(dir, 'audit.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx', mode: 0o640 });
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (Number.isSafeInteger(pid) && pid > 0 && alive(pid))
        throw new QtsError(
          'ERR_AUDIT_LOCKED',
          `the audit log in ${dir} is already written by process ${pid}${pid === process.pid ? ' (this one)' : ''}; one writer per folder keeps the chain intact`,
          { dir, pid },
        );
      rmSync(path, { force: true });
    }
  }
  throw new QtsError('ERR_AUDIT_LOCKED', `could not lock the audit log in ${dir}`, { dir });
}
