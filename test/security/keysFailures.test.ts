import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Fs from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isQtsError } from '../../src/core/QtsError.js';
import type { KeyFilePayload } from '../../src/security/ExchangeCredentials.js';
import { openKeyFile, sealKeyFile } from '../../src/security/KeyFile.js';
import { readKeyFile, writeKeyFile } from '../../src/security/KeyStore.js';
import { checkMasterKeyStrength, readMasterKey } from '../../src/security/masterKey.js';

/**
 * What the disk does to a keys file write: a nearly full disk takes part of the bytes,
 * then refuses the rest; a file owned by someone else cannot be read. The real fs is used
 * except where a test switches one of these on.
 */
const disk = vi.hoisted(() => ({ shortWrites: false, readError: undefined as string | undefined }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof Fs>();
  let wrote = false;
  return {
    ...fs,
    writeSync: (fd: number, data: Buffer, offset = 0, length = data.length - offset): number => {
      if (!disk.shortWrites) return fs.writeSync(fd, data, offset, length);
      if (wrote) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      wrote = true;
      return fs.writeSync(fd, data, offset, Math.floor(length / 2));
    },
    readFileSync: (...args: Parameters<typeof fs.readFileSync>) => {
      if (disk.readError !== undefined)
        throw Object.assign(new Error(`${disk.readError}: permission denied, open`), {
          code: disk.readError,
        });
      return fs.readFileSync(...args);
    },
  };
});

const FAST = { N: 2 ** 14, r: 8, p: 1 };
const KEY = 'FAKE-master-key-for-tests-7Qx!';
const PAYLOAD: KeyFilePayload = {
  credentials: [{ exchange: 'binance', apiKey: 'FAKEapiKEY0123456789', secret: 'FAKEsecretVALUExyz' }],
};

afterEach(() => {
  disk.shortWrites = false;
  disk.readError = undefined;
});

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (isQtsError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('keys file: failures a user meets', () => {
  it('a disk that fills up mid-write leaves the old file whole and says ERR_KEYS_WRITE (never a truncated file)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-keys-full-'));
    const file = join(dir, 'keys.enc.json');
    await writeKeyFile(file, PAYLOAD, KEY, FAST);
    const before = readFileSync(file, 'utf8');
    disk.shortWrites = true;
    const e = await failure(
      writeKeyFile(
        file,
        { credentials: [...PAYLOAD.credentials, { ...PAYLOAD.credentials[0]!, exchange: 'okx' }] },
        KEY,
        FAST,
      ),
    );
    disk.shortWrites = false;
    expect(e.code).toBe('ERR_KEYS_WRITE');
    expect(e.message).toMatch(/keys\.enc\.json: ENOSPC.*previous file, if any, is unchanged/);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(await readKeyFile(file, KEY)).toEqual(PAYLOAD);
    expect(readdirSync(dir)).toEqual(['keys.enc.json']);
  });

  it('a keys file this user may not read is a coded refusal, not a stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-keys-eacces-'));
    const file = join(dir, 'keys.enc.json');
    await writeKeyFile(file, PAYLOAD, KEY, FAST);
    disk.readError = 'EACCES';
    const e = await failure(readKeyFile(file, KEY));
    expect(e.code).toBe('ERR_KEYS_PERMISSIONS');
    expect(e.message).toMatch(/cannot read the keys file .*keys\.enc\.json \(EACCES\)/);
  });
});

describe('master key from the environment', () => {
  it('an empty or whitespace-only MASTER_KEY is missing, not a wrong key', () => {
    for (const value of ['', '   ', '\t\n'])
      expect(() => readMasterKey({ MASTER_KEY: value })).toThrow(
        expect.objectContaining({ code: 'ERR_MASTER_KEY_MISSING' }),
      );
    expect(() => readMasterKey({ MASTER_KEY: '  ' })).toThrow(/MASTER_KEY is only whitespace/);
    expect(() => readMasterKey({})).toThrow(/MASTER_KEY is not set/);
  });

  it('a new file is not encrypted with a key that carries a stray newline or space', () => {
    for (const value of [`${KEY}\n`, ` ${KEY}`, `${KEY} `]) {
      expect(() => checkMasterKeyStrength(value)).toThrow(/starts or ends with whitespace/);
      expect(() => checkMasterKeyStrength(value)).toThrow(
        expect.objectContaining({ code: 'ERR_MASTER_KEY_WEAK' }),
      );
    }
    expect(() => checkMasterKeyStrength(KEY)).not.toThrow();
  });

  it('a wrong key with a stray newline says so, without showing the key', async () => {
    const text = await sealKeyFile(PAYLOAD, KEY, FAST);
    const e = await failure(openKeyFile(text, `${KEY}\n`));
    expect(e.code).toBe('ERR_MASTER_KEY_WRONG');
    expect(e.message).toMatch(/starts or ends with whitespace/);
    expect(e.message).not.toContain(KEY);
    const plain = await failure(openKeyFile(text, 'FAKE-other-master-key-99'));
    expect(plain.message).not.toMatch(/whitespace/);
  });
});
