import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isQtsError } from '../../src/core/QtsError.js';
import type { KeyFilePayload } from '../../src/security/ExchangeCredentials.js';
import { openKeyFile, sealKeyFile } from '../../src/security/KeyFile.js';

// Tests pass a lower scrypt cost explicitly; production files use N = 2^17.
const FAST = { N: 2 ** 14, r: 8, p: 1 };
const KEY = 'correct horse battery staple 42';
const PAYLOAD: KeyFilePayload = {
  credentials: [
    { exchange: 'binance', apiKey: 'AKIA-binance-key-0123456789', secret: 'sEcReT/binance+value==' },
    {
      exchange: 'okx',
      apiKey: 'okx-key-abcdefghijkl',
      secret: 'okx-secret-xyz',
      password: 'okx pass phrase',
      sandbox: true,
    },
  ],
};

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isQtsError(e)) return e.code;
    throw e;
  }
  return 'OPENED';
}

/** Re-serializes an edited envelope with a correct digest: what an attacker who knows the format can do. */
function forge(text: string, edit: (e: Record<string, unknown>) => void): string {
  const e = JSON.parse(text) as Record<string, unknown>;
  delete e['digest'];
  edit(e);
  const body = `${JSON.stringify(e, null, 2)}\n`;
  const digest = createHash('sha256').update(body).digest('hex');
  return `${JSON.stringify({ ...e, digest }, null, 2)}\n`;
}

describe('keys file format (scrypt + AES-256-GCM, versioned envelope)', () => {
  it('round-trips, with a fresh salt and nonce on every write and no secret in the file', async () => {
    const a = await sealKeyFile(PAYLOAD, KEY, FAST);
    const b = await sealKeyFile(PAYLOAD, KEY, FAST);
    expect(await openKeyFile(a, KEY)).toEqual(PAYLOAD);
    expect(await openKeyFile(b, KEY)).toEqual(PAYLOAD);
    const ea = JSON.parse(a) as Record<string, unknown>;
    const eb = JSON.parse(b) as Record<string, unknown>;
    expect(ea).toMatchObject({ v: 1, kdf: 'scrypt', N: FAST.N, r: 8, p: 1 });
    expect(ea['salt']).not.toBe(eb['salt']);
    expect(ea['nonce']).not.toBe(eb['nonce']);
    expect(ea['ciphertext']).not.toBe(eb['ciphertext']);
    for (const c of PAYLOAD.credentials) {
      expect(a).not.toContain(c.apiKey);
      expect(a).not.toContain(c.secret);
    }
  });

  it('round-trips arbitrary credentials (property)', async () => {
    const cred = fc.record(
      {
        exchange: fc.stringMatching(/^[a-z0-9_]{2,12}$/),
        apiKey: fc.string({ minLength: 1, maxLength: 80, unit: 'grapheme' }),
        secret: fc.string({ minLength: 1, maxLength: 80, unit: 'grapheme' }),
        password: fc.string({ minLength: 1, maxLength: 30 }),
        sandbox: fc.boolean(),
      },
      { requiredKeys: ['exchange', 'apiKey', 'secret'] },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(cred, { maxLength: 3 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        async (credentials, key) => {
          const text = await sealKeyFile({ credentials }, key, FAST);
          expect(await openKeyFile(text, key)).toEqual({ credentials });
        },
      ),
      { numRuns: 12 },
    );
  });

  it('refuses a wrong master key, and says so', async () => {
    const text = await sealKeyFile(PAYLOAD, KEY, FAST);
    await expect(openKeyFile(text, `${KEY}!`, 'secrets/k.json')).rejects.toThrow(
      /MASTER_KEY does not open secrets\/k\.json: wrong master key/,
    );
    expect(await codeOf(openKeyFile(text, KEY.toUpperCase()))).toBe('ERR_MASTER_KEY_WRONG');
  });

  it('rejects the file when any single byte is flipped, at every position', async () => {
    const text = await sealKeyFile(PAYLOAD, KEY, FAST);
    const bytes = Buffer.from(text, 'utf8');
    const seen = new Set<string>();
    // Every position, with three masks: low bit, case bit, and one that turns \n into a space.
    for (let i = 0; i < bytes.length; i++) {
      for (const mask of [0x01, 0x20, 0x2a]) {
        const copy = Buffer.from(bytes);
        copy[i] = (copy[i] as number) ^ mask;
        const code = await codeOf(openKeyFile(copy.toString('latin1'), KEY));
        seen.add(code);
        if (code !== 'ERR_KEYS_TAMPERED' && code !== 'ERR_KEYS_VERSION')
          throw new Error(`flip 0x${mask.toString(16)} at ${i} (${JSON.stringify(text[i])}) gave ${code}`);
      }
    }
    expect(seen.has('ERR_KEYS_TAMPERED')).toBe(true);
  });

  it('rejects random multi-byte corruption and truncation (property)', async () => {
    const text = await sealKeyFile(PAYLOAD, KEY, FAST);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(text.length - 1), fc.integer({ min: 1, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        // Any cut that loses content (only the final newline may go: editors drop it).
        fc.nat(text.length - 2),
        async (flips, cut) => {
          const copy = Buffer.from(text, 'utf8');
          for (const [i, m] of flips) copy[i] = (copy[i] as number) ^ m;
          const changed = copy.toString('latin1') !== text;
          if (changed)
            expect(await codeOf(openKeyFile(copy.toString('latin1'), KEY))).toMatch(
              /^ERR_KEYS_(TAMPERED|VERSION)$/,
            );
          expect(await codeOf(openKeyFile(text.slice(0, cut), KEY))).toBe('ERR_KEYS_TAMPERED');
        },
      ),
      { numRuns: 200 },
    );
    expect(await openKeyFile(text.slice(0, -1), KEY)).toEqual(PAYLOAD);
  });

  it('rejects version, KDF and parameter swaps even when the digest is recomputed', async () => {
    const text = await sealKeyFile(PAYLOAD, KEY, FAST);
    const other = await sealKeyFile({ credentials: [] }, KEY, FAST);
    const o = JSON.parse(other) as Record<string, unknown>;
    const cases: [string, (e: Record<string, unknown>) => void, RegExp][] = [
      ['newer version', (e) => (e['v'] = 2), /^ERR_KEYS_VERSION$/],
      ['version 0', (e) => (e['v'] = 0), /^ERR_KEYS_TAMPERED$/],
      ['another KDF', (e) => (e['kdf'] = 'pbkdf2'), /^ERR_KEYS_TAMPERED$/],
      // A different cost derives a different key: the key check fails before any decryption.
      ['weaker N', (e) => (e['N'] = 2 ** 15), /^ERR_MASTER_KEY_WRONG$/],
      ['other r', (e) => (e['r'] = 4), /^ERR_MASTER_KEY_WRONG$/],
      ['other p', (e) => (e['p'] = 2), /^ERR_MASTER_KEY_WRONG$/],
      ['other salt', (e) => (e['salt'] = o['salt']), /^ERR_MASTER_KEY_WRONG$/],
      ['absurd N (memory bomb)', (e) => (e['N'] = 2 ** 30), /^ERR_KEYS_TAMPERED$/],
      ['N not a power of two', (e) => (e['N'] = 100_000), /^ERR_KEYS_TAMPERED$/],
      // Same key, so the key check passes: GCM with the AAD catches these.
      ['other nonce', (e) => (e['nonce'] = o['nonce']), /^ERR_KEYS_TAMPERED$/],
      [
        'ciphertext of another file',
        (e) => ((e['ciphertext'] = o['ciphertext']), (e['tag'] = o['tag'])),
        /^ERR_KEYS_TAMPERED$/,
      ],
      ['tag of another file', (e) => (e['tag'] = o['tag']), /^ERR_KEYS_TAMPERED$/],
      ['key check of another file', (e) => (e['keyCheck'] = o['keyCheck']), /^ERR_MASTER_KEY_WRONG$/],
      ['extra field', (e) => (e['note'] = 'x'), /^ERR_KEYS_TAMPERED$/],
    ];
    for (const [what, edit, want] of cases) {
      const code = await codeOf(openKeyFile(forge(text, edit), KEY));
      expect({ what, code }).toEqual({ what, code: expect.stringMatching(want) as unknown });
    }
  });

  it('says what is wrong with something that is not a keys file', async () => {
    await expect(openKeyFile('', KEY, 'f')).rejects.toThrow(/f was altered or is damaged \(not valid JSON\)/);
    await expect(openKeyFile('{"hello":1}', KEY, 'f')).rejects.toThrow(/ERR|altered or is damaged/);
    expect(await codeOf(openKeyFile('[]', KEY))).toBe('ERR_KEYS_TAMPERED');
  });
});
