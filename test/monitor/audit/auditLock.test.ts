import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isQtsError } from '../../../src/core/QtsError.js';
import { acquireAuditLock } from '../../../src/monitor/audit/auditLock.js';

/**
 * Called before every synchronous file-system call the lock makes: the test runs a second
 * acquirer there, as a process scheduled at that very moment would.
 */
const fsHook: { before: (() => void) | undefined } = { before: undefined };

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof fs>();
  const hooked = <F extends (...args: never[]) => unknown>(f: F): F =>
    ((...args: Parameters<F>) => {
      fsHook.before?.();
      return f(...args);
    }) as F;
  const names = [
    'readFileSync',
    'writeFileSync',
    'rmSync',
    'unlinkSync',
    'openSync',
    'closeSync',
    'renameSync',
    'existsSync',
    'statSync',
    'linkSync',
  ] as const;
  const wrapped = Object.fromEntries(names.map((n) => [n, hooked(real[n] as (...a: never[]) => unknown)]));
  return { ...real, ...wrapped, default: { ...real, ...wrapped } };
});

const ROOT = join(import.meta.dirname, '..', '..', '..');
const DEAD_PID = '999999999';
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  fsHook.before = undefined;
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function folder(): string {
  const dir = fs.mkdtempSync(join(tmpdir(), 'qts-audit-lock-'));
  dirs.push(dir);
  return dir;
}

type Outcome = { release: () => void } | { error: unknown };
function tryAcquire(dir: string): Outcome {
  try {
    return { release: acquireAuditLock(dir) };
  } catch (error) {
    return { error };
  }
}

/** A process that takes the lock of `dir` (at `startAt`, if given), says so, and keeps it. */
function holder(dir: string, startAt = 0): { child: ChildProcess; said: Promise<string> } {
  const script = `
    const { acquireAuditLock } = await import(${JSON.stringify(join(ROOT, 'src/monitor/audit/auditLock.ts'))});
    while (Date.now() < ${startAt});
    try { acquireAuditLock(${JSON.stringify(dir)}); console.log('won'); }
    catch (e) { console.log('lost ' + e.code); }
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const said = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`holder exited (${code}) before saying anything`)));
  });
  return { child, said };
}

describe('audit lock', () => {
  it('two writers taking over a dead writer`s lock at once: exactly one wins, whatever the interleaving', () => {
    // The second acquirer runs before the first one's k-th file-system call, for every k.
    for (let k = 0; k < 8; k++) {
      const dir = folder();
      fs.writeFileSync(join(dir, 'audit.lock'), DEAD_PID);
      let calls = 0;
      let second: Outcome | undefined;
      fsHook.before = () => {
        if (calls++ !== k || second !== undefined) return;
        fsHook.before = undefined;
        second = tryAcquire(dir);
      };
      const first = tryAcquire(dir);
      fsHook.before = undefined;
      second ??= tryAcquire(dir);
      const outcomes = [first, second];
      const winners = outcomes.filter((o) => 'release' in o);
      expect(winners, `second acquirer before fs call ${k}`).toHaveLength(1);
      const loser = outcomes.find((o) => 'error' in o);
      expect(isQtsError(loser && 'error' in loser ? loser.error : undefined, 'ERR_AUDIT_LOCKED')).toBe(true);
      for (const w of winners) if ('release' in w) w.release();
    }
  });

  it('another live process holds it: refused, naming that process; killed, its lock is taken over', async () => {
    const dir = folder();
    const { child, said } = holder(dir);
    expect(await said).toBe('won');
    let err: unknown;
    try {
      acquireAuditLock(dir);
    } catch (e) {
      err = e;
    }
    expect(isQtsError(err, 'ERR_AUDIT_LOCKED')).toBe(true);
    expect((err as Error).message).toContain(`process ${child.pid}`);
    // A crash (no chance to clean up): the operating system lets go of the lock.
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(fs.readFileSync(join(dir, 'audit.lock'), 'utf8')).toBe(String(child.pid));
    const release = acquireAuditLock(dir);
    expect(fs.readFileSync(join(dir, 'audit.lock'), 'utf8')).toBe(String(process.pid));
    release();
    release(); // twice is harmless
    expect(fs.existsSync(join(dir, 'audit.lock'))).toBe(false);
  });

  it('a damaged lock file is refused with what to do, not taken as held', () => {
    const dir = folder();
    fs.writeFileSync(join(dir, 'audit.lock.db'), 'not a database '.repeat(16));
    let err: unknown;
    try {
      acquireAuditLock(dir);
    } catch (e) {
      err = e;
    }
    expect(isQtsError(err, 'ERR_AUDIT_LOCKED')).toBe(true);
    expect((err as Error).message).toContain('is damaged');
  });

  it('two processes starting together against a dead writer`s lock: one wins, one is refused', async () => {
    const dir = folder();
    fs.writeFileSync(join(dir, 'audit.lock'), DEAD_PID);
    const startAt = Date.now() + 1_500;
    const said = await Promise.all([holder(dir, startAt).said, holder(dir, startAt).said]);
    expect(said.sort()).toEqual(['lost ERR_AUDIT_LOCKED', 'won']);
  });
});
