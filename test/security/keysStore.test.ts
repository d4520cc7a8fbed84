import { chmodSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import { isQtsError } from '../../src/core/QtsError.js';
import type { KeyFilePayload } from '../../src/security/ExchangeCredentials.js';
import { maskedCredentials } from '../../src/security/ExchangeCredentials.js';
import { readKeyFile, writeKeyFile } from '../../src/security/KeyStore.js';
import { loadExchangeCredentials } from '../../src/security/loadExchangeCredentials.js';
import { checkMasterKeyStrength } from '../../src/security/masterKey.js';

const FAST = { N: 2 ** 14, r: 8, p: 1 };
const KEY = 'a-long-and-varied-master-key-1';
const PAYLOAD: KeyFilePayload = {
  credentials: [
    { exchange: 'binance', apiKey: 'binance-api-key-0123456789', secret: 'binance-secret-value-xyz' },
  ],
};
const isPosix = process.platform !== 'win32';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'qts-keys-'));
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isQtsError(e)) return e.code;
    throw e;
  }
  return 'OK';
}

describe('keys file on disk', () => {
  it.skipIf(!isPosix)(
    'writes atomically with mode 0600 in a 0700 folder, also when replacing a file',
    async () => {
      const dir = join(tmp(), 'secrets');
      const file = join(dir, 'keys.enc.json');
      await writeKeyFile(file, PAYLOAD, KEY, FAST);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      const first = readFileSync(file, 'utf8');
      await writeKeyFile(file, { credentials: [] }, KEY, FAST);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8')).not.toBe(first);
      expect(await readKeyFile(file, KEY)).toEqual({ credentials: [] });
      // No temporary file is left behind.
      expect(readdirSync(dir)).toEqual(['keys.enc.json']);
    },
  );

  it('names a keys file whose folder cannot be made (a file in the way): ERR_KEYS_WRITE, not a stack trace', async () => {
    const blocker = join(tmp(), 'a-file');
    writeFileSync(blocker, '');
    const file = join(blocker, 'secrets', 'keys.enc.json');
    const e: unknown = await writeKeyFile(file, PAYLOAD, KEY, FAST).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'ERR_KEYS_WRITE' });
    expect((e as Error).message).toMatch(
      /^cannot write the keys file .*a-file\/secrets\/keys\.enc\.json: ENOTDIR/,
    );
  });

  it.skipIf(!isPosix)('refuses a file that group or others may read or write', async () => {
    const file = join(tmp(), 'k.json');
    await writeKeyFile(file, PAYLOAD, KEY, FAST);
    for (const mode of [0o640, 0o604, 0o620, 0o644]) {
      chmodSync(file, mode);
      await expect(readKeyFile(file, KEY)).rejects.toThrow(/accessible by group or others .*chmod 600/);
    }
    chmodSync(file, 0o400);
    expect(await readKeyFile(file, KEY)).toEqual(PAYLOAD);
  });

  it('names the command to run when the file is missing', async () => {
    const file = join(tmp(), 'none.json');
    await expect(readKeyFile(file, KEY)).rejects.toThrow(
      /no exchange keys file at .*none\.json: create it with `npm run keys:encrypt`/,
    );
  });

  it('refuses weak master keys for new files', () => {
    for (const weak of ['', 'short', 'aaaaaaaaaaaaaaaaaaaaaaaa', 'abababababababababab', '1234567'])
      expect(() => checkMasterKeyStrength(weak)).toThrow(/MASTER_KEY is too weak/);
    expect(() => checkMasterKeyStrength(KEY)).not.toThrow();
  });

  it('masks secrets for display', () => {
    const m = maskedCredentials({ ...PAYLOAD.credentials[0]!, password: 'pass-phrase' });
    expect(JSON.stringify(m)).not.toMatch(/0123456789|secret-value|pass-phrase/);
    expect(m).toMatchObject({ exchange: 'binance', apiKey: 'bina…6789', secret: '***', password: '***' });
  });
});

describe('live mode credentials (loadExchangeCredentials)', () => {
  const configFor = (keysFile: string, exchange = 'binance', sandbox = false) =>
    AppConfigSchema.parse({ mode: 'live', exchange: { id: exchange, sandbox }, security: { keysFile } });

  it('decrypts the configured exchange in memory and hands every secret to the scrubber', async () => {
    const file = join(tmp(), 'k.json');
    await writeKeyFile(file, PAYLOAD, KEY, FAST);
    const secrets: string[] = [];
    const c = await loadExchangeCredentials(
      configFor(file),
      { MASTER_KEY: KEY },
      { onSecret: (s) => secrets.push(s) },
    );
    expect(c).toEqual(PAYLOAD.credentials[0]);
    expect(secrets).toEqual(['binance-api-key-0123456789', 'binance-secret-value-xyz']);
  });

  it('refuses with a coded error for each way it can go wrong', async () => {
    const dir = tmp();
    const file = join(dir, 'k.json');
    await writeKeyFile(file, PAYLOAD, KEY, FAST);
    expect(
      await codeOf(loadExchangeCredentials(configFor(join(dir, 'missing.json')), { MASTER_KEY: KEY })),
    ).toBe('ERR_KEYS_MISSING');
    await expect(loadExchangeCredentials(configFor(file), {})).rejects.toThrow(
      /MASTER_KEY is not set: it is needed to decrypt/,
    );
    expect(await codeOf(loadExchangeCredentials(configFor(file), { MASTER_KEY: '' }))).toBe(
      'ERR_MASTER_KEY_MISSING',
    );
    expect(await codeOf(loadExchangeCredentials(configFor(file), { MASTER_KEY: `${KEY}x` }))).toBe(
      'ERR_MASTER_KEY_WRONG',
    );
    await expect(loadExchangeCredentials(configFor(file, 'okx'), { MASTER_KEY: KEY })).rejects.toThrow(
      /holds no credentials for exchange "okx" \(it has: binance\)/,
    );
    await expect(
      loadExchangeCredentials(configFor(file, 'binance', true), { MASTER_KEY: KEY }),
    ).rejects.toThrow(/real-account keys for binance but exchange.sandbox is true/);
    const text = readFileSync(file, 'utf8');
    writeFileSync(
      file,
      text.replace(/"tag": "(.)/, (_m, c: string) => `"tag": "${c === '0' ? '1' : '0'}`),
      { mode: 0o600 },
    );
    expect(await codeOf(loadExchangeCredentials(configFor(file), { MASTER_KEY: KEY }))).toBe(
      'ERR_KEYS_TAMPERED',
    );
  });
});
