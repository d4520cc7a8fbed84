import { QtsError } from '../core/QtsError.js';
import { SecurityErrorCode } from './SecurityErrorCode.js';

/** A master key shorter than this, or with fewer distinct characters, is refused for new files. */
export const MASTER_KEY_MIN_LENGTH = 16;
const MIN_DISTINCT = 8;

/** The master key from the environment variable `name` (never from a command-line argument). */
export function readMasterKey(
  env: NodeJS.ProcessEnv,
  name = 'MASTER_KEY',
  purpose = 'to open the keys file',
): string {
  const value = env[name];
  // `MASTER_KEY=` or `MASTER_KEY="  "` (a template line left unfilled) is no key at all:
  // say so, rather than "wrong master key" after a second of scrypt.
  if (value === undefined || value.trim() === '')
    throw new QtsError(
      SecurityErrorCode.MasterKeyMissing,
      `${name} is ${value === undefined ? 'not set' : value === '' ? 'empty' : 'only whitespace'}: it is needed ${purpose}. Export it in the environment (never pass it as an argument).`,
    );
  return value;
}

/**
 * Refuses a key that a guesser would find quickly despite scrypt. Applied when a file is
 * written (encrypt, rotate), not when one is read: an existing file's key is what it is.
 */
export function checkMasterKeyStrength(value: string, name = 'MASTER_KEY'): void {
  // A key read with a stray newline or space (a secrets manager, a copy) would encrypt the
  // file with a key that an unquoted MASTER_KEY in .env, which is trimmed, never gives back.
  if (value !== value.trim())
    throw new QtsError(
      SecurityErrorCode.MasterKeyWeak,
      `${name} starts or ends with whitespace (a stray space or newline?): remove it (an unquoted MASTER_KEY in .env is read without it)`,
    );
  const distinct = new Set(value).size;
  if ([...value].length < MASTER_KEY_MIN_LENGTH || distinct < MIN_DISTINCT)
    throw new QtsError(
      SecurityErrorCode.MasterKeyWeak,
      `${name} is too weak: use at least ${MASTER_KEY_MIN_LENGTH} characters with at least ${MIN_DISTINCT} different ones (for example the output of \`openssl rand -base64 32\`)`,
    );
}
