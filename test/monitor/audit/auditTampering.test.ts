import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../../src/monitor/audit/verifyAuditLog.js';
import { SecretRegistry } from '../../../src/monitor/SecretRegistry.js';
import { auditKit, writeTrail } from './auditTestKit.js';

const QTS = join(import.meta.dirname, '..', '..', '..', 'bin', 'qts.js');
const FAKE_SECRET = 'FAKEauditSECRETvalue0123';

const kits: ReturnType<typeof auditKit>[] = [];
function kit(): ReturnType<typeof auditKit> {
  const k = auditKit('tamper');
  kits.push(k);
  return k;
}
afterEach(() => {
  for (const k of kits.splice(0)) k.remove();
});

const split = (text: string): string[] => text.split('\n').slice(0, -1);
const join_ = (ls: readonly string[]): string => `${ls.join('\n')}\n`;

describe('audit trail: what an attacker edits that JSON would shrug off', () => {
  const edits: [string, (line: string) => string][] = [
    ['an added field the hash does not cover', (l) => l.replace('{"seq":', '{"approvedBy":"CEO","seq":')],
    [
      'a duplicate key (readers see the first, JSON.parse the last)',
      (l) => l.replace('{"seq":', '{"kind":"x","seq":'),
    ],
    ['spacing', (l) => l.replace('"seq":', '"seq": ')],
    ['re-ordered keys', (l) => l.replace(/^\{("seq":\d+),("time":\d+),/, '{$2,$1,')],
    ['an escape instead of the character', (l) => l.replace('"kind":"o', '"kind":"\\u006f')],
  ];
  for (const [what, edit] of edits)
    it(`verify reports ${what} at its file:line`, () => {
      const k = kit();
      writeTrail(k, 10, 60_000);
      const name = k.files()[0] as string;
      const ls = split(k.read(name));
      const edited = edit(ls[4] as string);
      expect(edited).not.toBe(ls[4]);
      ls[4] = edited;
      k.write(name, join_(ls));
      const v = verifyAuditLog(k.dir);
      expect(v.ok).toBe(false);
      expect(v.problem).toMatchObject({ file: name, line: 5 });
      expect(v.problem?.reason).toMatch(/not in the form the writer writes/);
      expect(v.records).toBe(4);
    });

  it('a restart refuses to chain onto a last line with an added field', () => {
    const k = kit();
    writeTrail(k, 3, 60_000);
    const name = k.files()[0] as string;
    const ls = split(k.read(name));
    ls[2] = (ls[2] as string).replace('{"seq":', '{"note":"ok","seq":');
    k.write(name, join_(ls));
    expect(() => k.open()).toThrow(/ERR_AUDIT_TAMPERED|not intact/);
  });
});

describe('audit trail: secrets and restarts', () => {
  it('an Error in the record data is written without a registered secret in its message', () => {
    const k = kit();
    const secrets = new SecretRegistry();
    secrets.register(FAKE_SECRET);
    const log = k.open(secrets);
    log.record('order.rejected', {
      error: new Error(`exchange said: invalid key ${FAKE_SECRET}`),
      nested: { cause: new Error(`signature for ${FAKE_SECRET}`) },
    });
    log.close();
    const text = k.read(k.files()[0] as string);
    expect(text).not.toContain(FAKE_SECRET);
    expect(text).toContain('exchange said: invalid key [REDACTED]');
    expect(verifyAuditLog(k.dir).ok).toBe(true);
  });

  it('a lock naming this process`s pid that this process does not hold is stale (a container restart as pid 1)', () => {
    const k = kit();
    writeTrail(k, 2, 60_000);
    k.write('audit.lock', String(process.pid));
    const log = k.open();
    log.record('app.started', {});
    // Held now: a second open in this process is still refused.
    expect(() => k.open()).toThrow(/already written by process \d+ \(this one\)/);
    log.close();
    expect(verifyAuditLog(k.dir)).toMatchObject({ ok: true, records: 3 });
  });

  it('qts audit verify refuses a folder that does not exist instead of calling it intact', async () => {
    const k = kit();
    const missing = join(k.dir, 'no-such-folder');
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [QTS, 'audit', 'verify', '--dir', missing],
        { timeout: 60_000 },
        (err, stdout, stderr) =>
          resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }),
      );
    });
    expect(r.stdout).not.toMatch(/^OK/);
    expect(r.stderr).toMatch(/^error ERR_AUDIT_DIR: .*no-such-folder is not a folder/);
    expect(r.code).toBe(2);
  });
});
