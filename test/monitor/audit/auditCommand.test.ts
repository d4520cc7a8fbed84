import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditKit, writeTrail } from './auditTestKit.js';

const QTS = join(import.meta.dirname, '..', '..', '..', 'bin', 'qts.js');

function qts(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [QTS, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('qts audit (CLI, as a child process)', () => {
  const k = auditKit('audit-cli');
  writeTrail(k, 25, 2 * 3_600_000);
  afterAll(() => k.remove());

  it('verify prints OK with the count for an intact trail', async () => {
    const r = await qts(['audit', 'verify', '--dir', k.dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^OK: 25 records in ${k.files().length} files, chain intact; last seq 25`),
    );
  });

  it('query and tail read the trail with filters', async () => {
    // Three CLI starts at once: each spends most of its time loading the program.
    const [q, t, bad] = await Promise.all([
      qts(['audit', 'query', '--dir', k.dir, '--kind', 'order.intent', '--limit', '3', '--json']),
      qts(['audit', 'tail', '-n', '2', '--dir', k.dir]),
      qts(['audit', 'query', '--dir', k.dir, '--from', 'yesterday-ish']),
    ]);
    expect(q.code).toBe(0);
    const rows = q.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; kind: string });
    expect(rows.map((r) => r.seq)).toEqual([25, 22, 19]);
    expect(rows.every((r) => r.kind === 'order.intent')).toBe(true);
    expect(
      t.stdout
        .trim()
        .split('\n')
        .map((l) => Number(l.split('\t')[0])),
    ).toEqual([24, 25]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('ERR_BAD_ARGUMENT');
  });

  it('verify names the first altered line as file:line and exits 1', async () => {
    const name = k.files()[1] as string;
    const lines = k.read(name).split('\n');
    lines[2] = (lines[2] as string).replace('BTC/USDT', 'ETH/USDT');
    k.write(name, lines.join('\n'));
    const r = await qts(['audit', 'verify', '--dir', k.dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`TAMPERED: ${join(k.dir, name)}:3: content does not match its hash`);
  });
});
