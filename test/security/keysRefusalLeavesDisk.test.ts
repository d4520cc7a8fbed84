import { chmodSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMPTY_CONFIG } from '../support/emptyConfig.js';
import type { QtsRun } from '../support/runQts.js';
import { qtsAsync } from '../support/runQts.js';

const MASTER = 'refusal-master-key-Zk4%long-enough';
const WRONG = 'refusal-WRONG-key-Jq8&long-enough';
const API_KEY = 'refusal-api-key-5e1c9a7d3b2f';
const API_SECRET = 'refusal-api-secret-8d6b4f2a0c9e';

/** `qts` with only this environment, in a folder of its own (it reads `.env` there). */
async function qts(cwd: string, args: string[], env: Record<string, string>): Promise<QtsRun> {
  return qtsAsync(args, {
    cwd,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: cwd,
      QTS_CONFIG: EMPTY_CONFIG,
      QTS_STRATEGIES_DIR: join(cwd, 'none'),
      LOG_FORMAT: 'json',
      ...env,
    },
  });
}

/**
 * Everything a refusal could have changed: every file of the folder with its bytes, mode and
 * mtime — except the logs, where the refusal is meant to be recorded (checked on its own).
 */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    if (name === 'logs') continue;
    const p = join(dir, name);
    const st = statSync(p);
    out[name] = st.isFile()
      ? `${(st.mode & 0o777).toString(8)} ${st.mtimeMs} ${readFileSync(p, 'hex')}`
      : `dir ${(st.mode & 0o777).toString(8)}`;
  }
  return out;
}

/** Every log and audit file under `dir/logs`, concatenated. */
function logText(dir: string): string {
  return readdirSync(join(dir, 'logs'), { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, 'logs', f))
    .filter((f) => statSync(f).isFile() && !f.endsWith('.db'))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
}

/** A byte of `field`'s hex value in the file text, changed to another hex digit. */
function flip(text: string, field: string, at = 0): string {
  const i = text.indexOf(`"${field}": `) + field.length + 4;
  const start = text[i] === '"' ? i + 1 + at : i + at;
  const c = text[start];
  return text.slice(0, start) + (c === '0' ? '1' : c === '1' ? '2' : '0') + text.slice(start + 1);
}

describe('a refused keys file or master key changes nothing on disk', () => {
  it('qts live and qts keys rotate refuse with exit 2 and a code, leave every byte and create nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-keys-refusal-'));
    const secrets = join(dir, 'secrets');
    const file = join(secrets, 'k.json');
    const enc = await qts(dir, ['keys', 'encrypt', '--file', file, '--scrypt-log-n', '14'], {
      MASTER_KEY: MASTER,
      EXCHANGE_API_KEY: API_KEY,
      EXCHANGE_API_SECRET: API_SECRET,
    });
    expect(enc.code).toBe(0);
    const good = readFileSync(file, 'utf8');
    const db = join(dir, 'live.db');
    const live = () => qts(dir, ['live', '--db', db], { KEYS_FILE: file, MASTER_KEY: MASTER });
    /** `prepare` damages the file first (before the snapshot); `run` is the command refused. */
    const runs: { what: string; prepare?: () => void; run: () => Promise<QtsRun>; code: string }[] = [
      {
        what: 'live, wrong MASTER_KEY',
        run: () => qts(dir, ['live', '--db', db], { KEYS_FILE: file, MASTER_KEY: WRONG }),
        code: 'ERR_MASTER_KEY_WRONG',
      },
      {
        what: 'rotate, wrong MASTER_KEY',
        run: () =>
          qts(dir, ['keys', 'rotate', '--file', file, '--scrypt-log-n', '14'], {
            MASTER_KEY: WRONG,
            NEW_MASTER_KEY: `${MASTER}-next`,
          }),
        code: 'ERR_MASTER_KEY_WRONG',
      },
    ];
    // The same file with one byte of its GCM tag changed, or cut short. (Every single-byte
    // change is refused in keysFile.test.ts; here, that the refusal stops `qts live` cleanly.)
    for (const [what, text] of [
      ['tag byte', flip(good, 'tag', 31)],
      ['truncated', good.slice(0, Math.floor(good.length / 2))],
    ] as const)
      runs.push({
        what: `live, ${what}`,
        prepare: () => writeFileSync(file, text, { mode: 0o600 }),
        run: live,
        code: 'ERR_KEYS_TAMPERED',
      });
    runs.push({
      what: 'live, file readable by others',
      prepare: () => chmodSync(file, 0o644),
      run: live,
      code: 'ERR_KEYS_PERMISSIONS',
    });

    for (const { what, prepare, run, code } of runs) {
      prepare?.();
      const before = { top: snapshot(dir), secrets: snapshot(secrets) };
      const r = await run();
      expect(`${what}: exit ${r.code}`).toBe(`${what}: exit 2`);
      expect(r.stderr, what).toMatch(new RegExp(`error ${code}: `));
      for (const s of [MASTER, WRONG, API_KEY, API_SECRET])
        expect(r.stdout + r.stderr, what).not.toContain(s);
      // No database, no temporary file: the refusal came before anything was written.
      expect({ top: snapshot(dir), secrets: snapshot(secrets) }, what).toEqual(before);
      if (what.startsWith('live')) expect(logText(dir), what).toContain(`"code":"${code}"`);
      writeFileSync(file, good);
      chmodSync(file, 0o600);
    }
    // The log and the audit trail record every refusal, and no secret.
    const logs = logText(dir);
    expect(logs).toContain('app.start_failed');
    for (const s of [MASTER, WRONG, API_KEY, API_SECRET]) expect(logs).not.toContain(s);
  }, 240_000);
});
