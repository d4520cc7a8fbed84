/**
 * `qts keys` reads `.env` of the working folder the way `qts live` and `npm start` do (the
 * real environment wins): a MASTER_KEY, KEYS_FILE or EXCHANGE kept there is the one the engine
 * opens the keys file with, so the file `qts keys` writes is the file the engine finds.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EMPTY_CONFIG } from '../support/emptyConfig.js';
import type { QtsRun } from '../support/runQts.js';
import { qtsAsync } from '../support/runQts.js';

const MASTER = 'dotenv-master-key-Xy7#long-enough';
const NEW_MASTER = 'dotenv-rotated-key-Qw9$also-long';
const API_KEY = 'dotenv-api-key-4f9a0c2e7b1d';
const API_SECRET = 'dotenv-api-secret-9b8c7d6e5f';

/** bin/qts.js in `cwd`, with only the given real environment (nothing inherited). */
function qts(cwd: string, args: string[], env: Record<string, string> = {}): Promise<QtsRun> {
  return qtsAsync(args, {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', HOME: cwd, QTS_CONFIG: EMPTY_CONFIG, ...env },
  });
}

describe('qts keys and .env', () => {
  const dirs: string[] = [];
  /** A working folder with this `.env`. */
  const folder = (dotEnv: string): string => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-keys-dotenv-'));
    dirs.push(dir);
    writeFileSync(join(dir, '.env'), dotEnv);
    return dir;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('encrypts, verifies, decrypts and rotates with MASTER_KEY, KEYS_FILE and EXCHANGE from .env', async () => {
    const dir = folder(
      [
        `MASTER_KEY=${MASTER}`,
        'KEYS_FILE=vault/keys.enc.json',
        'EXCHANGE=binanceusdm',
        `EXCHANGE_API_KEY=${API_KEY}`,
        `EXCHANGE_API_SECRET=${API_SECRET}`,
        '',
      ].join('\n'),
    );
    const file = join(dir, 'vault', 'keys.enc.json');

    const enc = await qts(dir, ['keys', 'encrypt', '--scrypt-log-n', '14']);
    expect(enc.code, enc.stderr).toBe(0);
    // The exchange of .env (the one `qts live` trades on), into the file of .env.
    expect(enc.stdout).toMatch(/^encrypted binanceusdm \(apiKey dote…7b1d\) into vault\/keys\.enc\.json /);
    expect(existsSync(file)).toBe(true);
    // Keys found in clear in .env: encrypted now, and the user is told to remove them there.
    expect(enc.stderr).toBe(
      'note: EXCHANGE_API_KEY, EXCHANGE_API_SECRET came from .env: once encrypted, delete them from .env (exchange keys in clear on disk are what the keys file avoids)\n',
    );
    expect(readFileSync(file, 'utf8')).not.toContain(API_SECRET);

    const verify = await qts(dir, ['keys', 'verify', '--exchange', 'binanceusdm']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toContain('OK: vault/keys.enc.json is intact and MASTER_KEY opens it');

    const decrypt = await qts(dir, ['keys', 'decrypt', '--show-secrets']);
    expect(decrypt.code, decrypt.stderr).toBe(0);
    expect(JSON.parse(decrypt.stdout)).toMatchObject({
      credentials: [{ exchange: 'binanceusdm', apiKey: API_KEY, secret: API_SECRET }],
    });

    // NEW_MASTER_KEY from the real environment, MASTER_KEY still from .env.
    const rotate = await qts(dir, ['keys', 'rotate', '--scrypt-log-n', '14'], { NEW_MASTER_KEY: NEW_MASTER });
    expect(rotate.code, rotate.stderr).toBe(0);
    expect((await qts(dir, ['keys', 'verify'], { MASTER_KEY: NEW_MASTER })).code).toBe(0);
  });

  it('lets the real environment win over .env, as the engine does', async () => {
    const dir = folder(`MASTER_KEY=${MASTER}\nKEYS_FILE=keys.enc.json\n`);
    const enc = await qts(dir, ['keys', 'encrypt', '--scrypt-log-n', '14'], {
      EXCHANGE_API_KEY: API_KEY,
      EXCHANGE_API_SECRET: API_SECRET,
    });
    expect(enc.code, enc.stderr).toBe(0);
    // Keys from the real environment: nothing to delete from .env.
    expect(enc.stderr).toBe('');
    const wrong = await qts(dir, ['keys', 'verify'], { MASTER_KEY: NEW_MASTER });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/ERR_/);
    expect((await qts(dir, ['keys', 'verify'])).code).toBe(0);
  });

  it('stores testnet keys when the configuration trades on the testnet (EXCHANGE_SANDBOX), unless --no-sandbox', async () => {
    const dir = folder(`MASTER_KEY=${MASTER}\nKEYS_FILE=keys.enc.json\nEXCHANGE_SANDBOX=true\n`);
    const keys = { EXCHANGE_API_KEY: API_KEY, EXCHANGE_API_SECRET: API_SECRET };
    const testnet = await qts(dir, ['keys', 'encrypt', '--scrypt-log-n', '14'], keys);
    expect(testnet.code, testnet.stderr).toBe(0);
    expect(testnet.stdout).toMatch(/^encrypted binance testnet \(apiKey/);
    const stored = async () =>
      (
        JSON.parse((await qts(dir, ['keys', 'decrypt'])).stdout) as { credentials: { sandbox?: boolean }[] }
      ).credentials.map((c) => c.sandbox === true);
    expect(await stored()).toEqual([true]);

    const mainNet = await qts(dir, ['keys', 'encrypt', '--no-sandbox', '--scrypt-log-n', '14'], keys);
    expect(mainNet.code, mainNet.stderr).toBe(0);
    expect(mainNet.stdout).toMatch(/^encrypted binance \(apiKey/);
    expect(await stored()).toEqual([false]);
  });
});
