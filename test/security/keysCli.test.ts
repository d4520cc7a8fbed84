import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMPTY_CONFIG } from '../support/emptyConfig.js';
import type { QtsRun } from '../support/runQts.js';
import { qtsAsync } from '../support/runQts.js';

const MASTER = 'cli-master-key-Xy7#long-enough';
const NEW_MASTER = 'rotated-master-key-Qw9$also-long';
const API_KEY = 'cli-api-key-4f9a0c2e7b1d';
const API_SECRET = 'cli-api-secret-9b8c7d6e5f';

interface Run extends QtsRun {
  /** The command line after `qts`, as another user of the machine could read it. */
  argv: readonly string[];
}

/**
 * Runs bin/qts.js with only the given environment (no inherited secrets, no repo config), in
 * a folder of its own: `qts keys` and `qts live` read `.env` of the working folder.
 */
async function qts(args: string[], env: Record<string, string>, stdin?: string): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'qts-keys-cli-'));
  const r = await qtsAsync(args, {
    cwd: dir,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: dir,
      QTS_CONFIG: EMPTY_CONFIG,
      QTS_STRATEGIES_DIR: join(dir, 'none'),
      LOG_FORMAT: 'json',
      ...env,
    },
    input: stdin,
  });
  return { ...r, argv: args };
}

describe('qts keys (child processes)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qts-keys-e2e-'));
  const file = join(dir, 'secrets', 'exchange-keys.enc.json');

  it('encrypt from the environment, verify, decrypt masked and in clear, rotate', async () => {
    const enc = await qts(['keys', 'encrypt', '--file', file, '--scrypt-log-n', '14'], {
      MASTER_KEY: MASTER,
      EXCHANGE_API_KEY: API_KEY,
      EXCHANGE_API_SECRET: API_SECRET,
    });
    expect(enc.stderr).toBe('');
    expect(enc.code).toBe(0);
    expect(enc.stdout).toMatch(
      /encrypted binance \(apiKey cli-…7b1d\) into .* \(mode 0600, scrypt N=2\^14\)/,
    );
    // No secret on the command line, in the output or in the file.
    for (const s of [API_KEY, API_SECRET, MASTER]) {
      expect(enc.argv.join(' ')).not.toContain(s);
      expect(enc.stdout).not.toContain(s);
      expect(readFileSync(file, 'utf8')).not.toContain(s);
    }
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const ok = await qts(['keys', 'verify', '--file', file, '--exchange', 'binance'], { MASTER_KEY: MASTER });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^OK: .* is intact and MASTER_KEY opens it; binance: apiKey cli-…7b1d\n$/);

    const masked = await qts(['keys', 'decrypt', '--file', file], { MASTER_KEY: MASTER });
    expect(masked.code).toBe(0);
    expect(masked.stdout).not.toContain(API_SECRET);
    expect(masked.stdout).not.toContain(API_KEY);
    expect(JSON.parse(masked.stdout)).toEqual({
      credentials: [{ exchange: 'binance', apiKey: 'cli-…7b1d', secret: '***' }],
    });

    const clear = await qts(['keys', 'decrypt', '--file', file, '--show-secrets'], { MASTER_KEY: MASTER });
    expect(JSON.parse(clear.stdout)).toEqual({
      credentials: [{ exchange: 'binance', apiKey: API_KEY, secret: API_SECRET }],
    });

    const wrong = await qts(['keys', 'verify', '--file', file], { MASTER_KEY: `${MASTER}-typo` });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^error ERR_MASTER_KEY_WRONG: MASTER_KEY does not open/);

    const before = readFileSync(file, 'utf8');
    const rot = await qts(['keys', 'rotate', '--file', file, '--scrypt-log-n', '14'], {
      MASTER_KEY: MASTER,
      NEW_MASTER_KEY: NEW_MASTER,
    });
    expect(rot.stderr).toBe('');
    expect(rot.stdout).toMatch(/rotated .* to NEW_MASTER_KEY \(1 credentials\)/);
    expect(readFileSync(file, 'utf8')).not.toBe(before);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await qts(['keys', 'verify', '--file', file], { MASTER_KEY: NEW_MASTER })).code).toBe(0);
    expect((await qts(['keys', 'verify', '--file', file], { MASTER_KEY: MASTER })).stderr).toMatch(
      /ERR_MASTER_KEY_WRONG/,
    );
  }, 60_000);

  it('adds an exchange from stdin JSON, refuses weak keys and missing input, never overwrites with a wrong key', async () => {
    const f = join(mkdtempSync(join(tmpdir(), 'qts-keys-e2e2-')), 'k.json');
    const first = await qts(['keys', 'encrypt', '--file', f, '--scrypt-log-n', '14'], {
      MASTER_KEY: MASTER,
      EXCHANGE_API_KEY: API_KEY,
      EXCHANGE_API_SECRET: API_SECRET,
    });
    expect(first.code).toBe(0);
    const add = await qts(
      ['keys', 'encrypt', '--file', f, '--stdin', '--exchange', 'okx', '--sandbox', '--scrypt-log-n', '14'],
      { MASTER_KEY: MASTER },
      JSON.stringify({
        apiKey: 'okx-key-123456789',
        secret: 'okx-secret-abcdef',
        password: 'okx-passphrase',
      }),
    );
    expect(add.stderr).toBe('');
    expect(add.stdout).toMatch(/it holds: binance, okx/);
    const clear = await qts(['keys', 'decrypt', '--file', f, '--show-secrets'], { MASTER_KEY: MASTER });
    expect(JSON.parse(clear.stdout)).toEqual({
      credentials: [
        { exchange: 'binance', apiKey: API_KEY, secret: API_SECRET },
        {
          exchange: 'okx',
          apiKey: 'okx-key-123456789',
          secret: 'okx-secret-abcdef',
          password: 'okx-passphrase',
          sandbox: true,
        },
      ],
    });

    const before = readFileSync(f, 'utf8');
    const wrongKey = await qts(['keys', 'encrypt', '--file', f, '--scrypt-log-n', '14'], {
      MASTER_KEY: 'another-master-key-0987654321',
      EXCHANGE_API_KEY: 'x'.repeat(20),
      EXCHANGE_API_SECRET: 'y'.repeat(20),
    });
    expect(wrongKey.stderr).toMatch(/ERR_MASTER_KEY_WRONG/);
    expect(readFileSync(f, 'utf8')).toBe(before);

    const weak = await qts(['keys', 'encrypt', '--file', join(dir, 'weak.json')], {
      MASTER_KEY: 'password',
      EXCHANGE_API_KEY: API_KEY,
      EXCHANGE_API_SECRET: API_SECRET,
    });
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/ERR_MASTER_KEY_WEAK: MASTER_KEY is too weak/);
    expect(existsSync(join(dir, 'weak.json'))).toBe(false);

    const none = await qts(['keys', 'encrypt', '--file', join(dir, 'none.json')], { MASTER_KEY: MASTER });
    expect(none.stderr).toMatch(/ERR_KEYS_INPUT: no credentials given: set EXCHANGE_API_KEY/);
    const half = await qts(['keys', 'encrypt', '--file', join(dir, 'none.json')], {
      MASTER_KEY: MASTER,
      EXCHANGE_API_KEY: API_KEY,
    });
    expect(half.stderr).toMatch(/ERR_KEYS_INPUT: set both EXCHANGE_API_KEY and EXCHANGE_API_SECRET/);
    const missing = await qts(['keys', 'verify', '--file', f], {});
    expect(missing.stderr).toMatch(/ERR_MASTER_KEY_MISSING: MASTER_KEY is not set/);
  }, 60_000);

  it('qts live decrypts the keys first: wrong, missing, tampered or absent keys refuse to start with their own message', async () => {
    const f = join(mkdtempSync(join(tmpdir(), 'qts-keys-live-')), 'k.json');
    const enc = await qts(['keys', 'encrypt', '--file', f, '--scrypt-log-n', '14'], {
      MASTER_KEY: MASTER,
      EXCHANGE_API_KEY: API_KEY,
      EXCHANGE_API_SECRET: API_SECRET,
    });
    expect(enc.code).toBe(0);
    const live = (env: Record<string, string>) =>
      qts(['live', '--db', join(dir, 'live.db')], { KEYS_FILE: f, ...env });

    const wrong = await live({ MASTER_KEY: 'not-the-master-key-at-all' });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/error ERR_MASTER_KEY_WRONG: MASTER_KEY does not open .*k\.json/);

    const missingKey = await live({});
    expect(missingKey.code).not.toBe(0);
    expect(missingKey.stderr).toMatch(/error ERR_MASTER_KEY_MISSING: MASTER_KEY is not set/);

    // With the right key the keys open; the next gate (API tokens) is what stops it now.
    const right = await live({ MASTER_KEY: MASTER });
    expect(right.code).toBe(2);
    expect(right.stderr).toMatch(/error ERR_LIVE_API_AUTH_MISSING/);
    expect(right.stdout).toMatch(/exchange keys decrypted in memory/);
    expect(right.stdout + right.stderr).not.toContain(API_SECRET);

    const text = readFileSync(f, 'utf8');
    const at = text.indexOf('"ciphertext": "') + 20;
    writeFileSync(f, text.slice(0, at) + (text[at] === 'a' ? 'b' : 'a') + text.slice(at + 1));
    chmodSync(f, 0o600);
    const tampered = await live({ MASTER_KEY: MASTER });
    expect(tampered.code).not.toBe(0);
    expect(tampered.stderr).toMatch(/error ERR_KEYS_TAMPERED: .*k\.json was altered or is damaged/);

    const absent = await qts(['live', '--db', join(dir, 'live.db')], {
      KEYS_FILE: join(dir, 'nope.json'),
      MASTER_KEY: MASTER,
    });
    expect(absent.code).not.toBe(0);
    expect(absent.stderr).toMatch(/error ERR_KEYS_MISSING: no exchange keys file at .*nope\.json/);
  }, 90_000);
});
