import type * as crypto from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isQtsError } from '../../src/core/QtsError.js';
import { openKeyFile, sealKeyFile } from '../../src/security/KeyFile.js';

/**
 * How the next scrypt calls fail: with node's own refusal of a memory limit too small for the
 * cost (what a machine short of memory amounts to, without allocating anything), or with an
 * error reported through the callback (an allocation that failed while deriving).
 */
const force: { mode: 'none' | 'maxmem' | 'callback' } = { mode: 'none' };

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof crypto>();
  const scrypt = (...args: Parameters<typeof real.scrypt>): void => {
    const [password, salt, keylen, options, callback] = args as unknown as [
      crypto.BinaryLike,
      crypto.BinaryLike,
      number,
      crypto.ScryptOptions,
      (err: Error | null, key: Buffer) => void,
    ];
    if (force.mode === 'callback') {
      setImmediate(() =>
        callback(
          Object.assign(new Error('Scrypt failed'), { code: 'ERR_CRYPTO_OPERATION_FAILED' }),
          Buffer.alloc(0),
        ),
      );
      return;
    }
    const opts = force.mode === 'maxmem' ? { ...options, maxmem: 1024 } : options;
    real.scrypt(password, salt, keylen, opts, callback);
  };
  return { ...real, scrypt, default: { ...real, scrypt } };
});

const FAST = { N: 2 ** 14, r: 8, p: 1 };
const KEY = 'correct horse battery staple 42';
const PAYLOAD = {
  credentials: [{ exchange: 'binance', apiKey: 'fake-api-key-0123456789', secret: 'fake-secret-value' }],
};

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}

afterEach(() => {
  force.mode = 'none';
});

describe('keys file: a failing key derivation', () => {
  it('opening: ERR_KEYS_KDF naming the file, the cost and what to do — not a wrong key, not tampering', async () => {
    const text = await sealKeyFile(PAYLOAD, KEY, FAST);
    for (const mode of ['maxmem', 'callback'] as const) {
      force.mode = mode;
      const err = await failure(openKeyFile(text, KEY, 'secrets/exchange-keys.enc.json'));
      expect(isQtsError(err, 'ERR_KEYS_KDF'), `${mode}: ${String(err)}`).toBe(true);
      const message = (err as Error).message;
      expect(message).toContain('secrets/exchange-keys.enc.json');
      expect(message).toMatch(/scrypt N=16384 r=8 p=1, about 16 MiB/);
      expect(message).toMatch(/memory is free.*--scrypt-log-n/);
      expect(message).not.toContain(KEY);
    }
    force.mode = 'none';
    expect(await openKeyFile(text, KEY)).toEqual(PAYLOAD);
  });

  it('sealing a new file: ERR_KEYS_KDF too', async () => {
    force.mode = 'maxmem';
    const err = await failure(sealKeyFile(PAYLOAD, KEY, FAST));
    expect(isQtsError(err, 'ERR_KEYS_KDF')).toBe(true);
    expect((err as Error).message).toContain('new keys file');
  });
});
