import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isQtsError } from '../../src/core/QtsError.js';
import type { KeyFilePayload } from '../../src/security/ExchangeCredentials.js';
import { readKeyFile, writeKeyFile } from '../../src/security/KeyStore.js';

const FAST = { N: 2 ** 14, r: 8, p: 1 };
const KEY_A = 'crash-master-key-A-7Qx!long-enough';
const KEY_B = 'crash-master-key-B-4Zw?long-enough';
const PAYLOAD: KeyFilePayload = {
  credentials: [
    { exchange: 'binance', apiKey: 'crash-api-key-0123456789', secret: 'crash-secret-value-abcdef' },
    {
      exchange: 'okx',
      apiKey: 'crash-okx-key-9876543210',
      secret: 'crash-okx-secret',
      password: 'pass-phrase',
    },
  ],
};
const KEYSTORE = resolve(import.meta.dirname, '../../src/security/KeyStore.ts');

/**
 * A process that rotates the file between two master keys as fast as it can (what `qts keys
 * rotate` does: open with the old key, write with the new one), printing a dot after each
 * rotation, killed with SIGKILL after `rotations` of them: wherever the kill lands (scrypt,
 * the write of the temporary file, its fsync, the rename), the file must still open.
 */
async function rotateThenKill(file: string, rotations: number): Promise<void> {
  const script = join(mkdtempSync(join(tmpdir(), 'qts-rotate-child-')), 'rotate.mts');
  writeFileSync(
    script,
    `import { readKeyFile, writeKeyFile } from ${JSON.stringify(KEYSTORE)};
const [file, a, b] = process.argv.slice(2);
let [key, next] = [a, b];
// After an earlier kill the file may be under either key.
await readKeyFile(file, key).catch(() => ([key, next] = [next, key]));
for (;;) {
  const payload = await readKeyFile(file, key);
  await writeKeyFile(file, payload, next, ${JSON.stringify(FAST)});
  [key, next] = [next, key];
  process.stdout.write('.');
}
`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script, file, KEY_A, KEY_B], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  await new Promise<void>((res, rej) => {
    let dots = 0;
    child.stdout.on('data', (b: Buffer) => {
      dots += b.toString().length;
      if (dots >= rotations) {
        child.kill('SIGKILL');
        res();
      }
    });
    child.once('exit', (code) => {
      if (dots < rotations) rej(new Error(`rotating child exited early (${code}): ${stderr}`));
    });
  });
  await new Promise((res) =>
    child.exitCode !== null || child.signalCode !== null ? res(null) : child.once('exit', res),
  );
}

/** The payload of the file, opened with whichever of the two keys it is now under. */
async function openWithEither(file: string): Promise<KeyFilePayload> {
  try {
    return await readKeyFile(file, KEY_A);
  } catch (e) {
    if (!isQtsError(e, 'ERR_MASTER_KEY_WRONG')) throw e;
    return readKeyFile(file, KEY_B);
  }
}

describe('keys rotation killed at any moment', () => {
  it('leaves a file that opens, with one key or the other, holding every credential', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-rotate-crash-'));
    const file = join(dir, 'keys.enc.json');
    await writeKeyFile(file, PAYLOAD, KEY_A, FAST);
    for (const rotations of [1, 2, 3, 5]) {
      await rotateThenKill(file, rotations);
      expect(await openWithEither(file)).toEqual(PAYLOAD);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      // What a kill may leave beside it: a temporary file, owner-only, never the secret in clear.
      for (const name of readdirSync(dir).filter((n) => n !== 'keys.enc.json')) {
        expect(name).toMatch(/^\.keys\.enc\.json\.[0-9a-f]{12}\.tmp$/);
        expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
      }
    }
  }, 120_000);
});
