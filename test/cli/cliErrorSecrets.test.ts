import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';

const FAKE_SECRET = 'FAKEcliCANARYsecret0123';

// The audit command, replaced by one that fails the way a bug would: a plain Error quoting
// a secret (only in the in-process test; the spawned one runs the real command).
vi.mock('../../src/cli/auditCommand.js', () => ({
  registerAuditCommand: (program: Command) =>
    program.command('audit').action(() => {
      throw new Error(`connection to https://user:${FAKE_SECRET}@db.example failed`, {
        cause: new Error(`server said: bad token ${FAKE_SECRET}`),
      });
    }),
}));

const QTS = join(import.meta.dirname, '..', '..', 'bin', 'qts.js');
const dirs: string[] = [];
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('qts error output never carries a secret of the environment', () => {
  it('a coded error quoting an env secret (here in a path) prints it redacted, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-cli-secret-'));
    dirs.push(dir);
    const missing = join(dir, `audit-${FAKE_SECRET}`);
    const r = await new Promise<{ code: number; stderr: string; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        [QTS, 'audit', 'verify', '--dir', missing],
        {
          timeout: 60_000,
          env: { ...process.env, QTS_USE_DIST: '0', QTS_CANARY_TOKEN: FAKE_SECRET },
        },
        (err, stdout, stderr) =>
          resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr }),
      );
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error ERR_AUDIT_DIR');
    expect(r.stderr).toContain('[REDACTED]');
    expect(r.stderr + r.stdout).not.toContain(FAKE_SECRET);
  });

  it('a secret only in .env (commands load it late) is redacted too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-cli-dotenv-secret-'));
    dirs.push(dir);
    writeFileSync(join(dir, '.env'), `QTS_CANARY_TOKEN=${FAKE_SECRET}\n`);
    const env: NodeJS.ProcessEnv = { ...process.env, QTS_USE_DIST: '0' };
    delete env['QTS_CANARY_TOKEN'];
    const r = await new Promise<{ code: number; stderr: string; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        [QTS, 'audit', 'verify', '--dir', join(dir, `audit-${FAKE_SECRET}`)],
        { timeout: 60_000, cwd: dir, env },
        (err, stdout, stderr) =>
          resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr }),
      );
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error ERR_AUDIT_DIR');
    expect(r.stderr).toContain('[REDACTED]');
    expect(r.stderr + r.stdout).not.toContain(FAKE_SECRET);
  });

  it('an unexpected error (message and cause) is printed scrubbed, exit 1, not left to Node', async () => {
    vi.stubEnv('QTS_CANARY_SECRET', FAKE_SECRET);
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const { main } = await import('../../src/cli/program.js');
    expect(await main(['node', 'qts', 'audit'])).toBe(1);
    const text = written.join('');
    expect(text).toContain('connection to https://user:[REDACTED]@db.example failed');
    expect(text).toContain('bad token [REDACTED]');
    expect(text).not.toContain(FAKE_SECRET);
  });
});
