import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { QtsError } from '../core/QtsError.js';
import type { KeyFilePayload } from './ExchangeCredentials.js';
import type { ScryptParams } from './KeyFile.js';
import { DEFAULT_SCRYPT, openKeyFile, sealKeyFile } from './KeyFile.js';
import { SecurityErrorCode } from './SecurityErrorCode.js';

const OWNER_ONLY = 0o600;

/** Throws ERR_KEYS_MISSING when there is no keys file at `path`. */
export function requireKeyFile(path: string): void {
  if (!existsSync(path))
    throw new QtsError(
      SecurityErrorCode.KeysMissing,
      `no exchange keys file at ${path}: create it with \`npm run keys:encrypt\` (MASTER_KEY and EXCHANGE_API_KEY/EXCHANGE_API_SECRET in the environment)`,
    );
}

/**
 * Like ssh with a private key, a keys file that group or others may read or write is
 * refused: it may already have leaked, and an attacker who can write it can swap keys.
 */
export function checkKeyFilePermissions(path: string): void {
  const st = statSync(path);
  if (!st.isFile()) throw new QtsError(SecurityErrorCode.KeysMissing, `${path} is not a file`);
  if (process.platform === 'win32') return;
  if ((st.mode & 0o077) !== 0)
    throw new QtsError(
      SecurityErrorCode.KeysPermissions,
      `${path} is accessible by group or others (mode 0${(st.mode & 0o777).toString(8)}): run \`chmod 600 ${path}\` and check who may have read it`,
    );
}

/** Reads and decrypts the keys file at `path`. */
export async function readKeyFile(path: string, masterKey: string): Promise<KeyFilePayload> {
  requireKeyFile(path);
  checkKeyFilePermissions(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    // Owned by another user (0600 root after a `sudo` encrypt): a coded refusal, not a stack.
    throw new QtsError(
      SecurityErrorCode.KeysPermissions,
      `cannot read the keys file ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): run as the user that owns it, or fix its owner`,
      { file: path },
    );
  }
  return openKeyFile(text, masterKey, path);
}

function writeFailed(path: string, e: unknown): QtsError {
  return new QtsError(
    SecurityErrorCode.KeysWrite,
    `cannot write the keys file ${path}: ${(e as Error).message}; the previous file, if any, is unchanged`,
    { file: path },
  );
}

/**
 * Encrypts and writes the keys file atomically (a temporary file in the same folder, made
 * 0600 before any byte is written, flushed, then renamed over the old one): a crash leaves
 * the old file or the new one, never half of one, and the secret is never world-readable.
 */
export async function writeKeyFile(
  path: string,
  payload: KeyFilePayload,
  masterKey: string,
  params: ScryptParams = DEFAULT_SCRYPT,
): Promise<void> {
  const text = await sealKeyFile(payload, masterKey, params);
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, OWNER_ONLY);
  } catch (e) {
    // A folder that cannot be made or written is a setting to fix (security.keysFile, --file).
    throw writeFailed(path, e);
  }
  let open = true;
  try {
    fchmodSync(fd, OWNER_ONLY);
    // write(2) may take only part of the bytes (a nearly full disk): loop until all are
    // written or it fails, never rename a truncated file over a good one.
    const bytes = Buffer.from(text, 'utf8');
    for (let off = 0; off < bytes.length;) {
      const n = writeSync(fd, bytes, off, bytes.length - off);
      if (n <= 0) throw new Error('no progress writing');
      off += n;
    }
    fsyncSync(fd);
    open = false;
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    if (open) closeSync(fd);
    rmSync(tmp, { force: true });
    throw writeFailed(path, e);
  }
  try {
    const dfd = openSync(dir, 'r');
    fsyncSync(dfd);
    closeSync(dfd);
  } catch {
    // Not every platform lets a folder be fsynced; the rename is atomic regardless.
  }
}
