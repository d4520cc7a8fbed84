import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  scrypt,
  timingSafeEqual,
} from 'node:crypto';
import { z } from 'zod';
import { QtsError } from '../core/QtsError.js';
import type { KeyFilePayload } from './ExchangeCredentials.js';
import { KeyFilePayloadSchema } from './ExchangeCredentials.js';
import { SecurityErrorCode } from './SecurityErrorCode.js';

/** Cost of the scrypt derivation of the file key from the master key. */
export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** N = 2^17, r = 8: ~128 MiB and ~0.3 s per derivation — slow for a guesser, fine once per start. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

/** Bounds of what a file may ask for: weaker is refused, costlier could exhaust memory when read. */
const LOG2_N = { min: 14, max: 20 } as const;
const MAX_SCRYPT_MEMORY = 1024 * 1024 * 1024;

const hex = (bytes: number | undefined, what: string) =>
  z
    .string()
    .regex(
      bytes === undefined ? /^(?:[0-9a-f]{2})+$/ : new RegExp(`^[0-9a-f]{${bytes * 2}}$`),
      `${what}: lowercase hex`,
    );

/** Version 1 of the file: every field is covered by the digest, and all but the ciphertext by the GCM AAD. */
const EnvelopeV1Schema = z
  .object({
    v: z.literal(1),
    kdf: z.literal('scrypt'),
    N: z.number().int(),
    r: z.number().int().min(1).max(32),
    p: z.number().int().min(1).max(16),
    salt: hex(16, 'salt'),
    nonce: hex(12, 'nonce'),
    keyCheck: hex(32, 'keyCheck'),
    ciphertext: hex(undefined, 'ciphertext'),
    tag: hex(16, 'tag'),
    digest: hex(32, 'digest'),
  })
  .strict();
type EnvelopeV1 = z.infer<typeof EnvelopeV1Schema>;

const KEY_CHECK_LABEL = 'qts-keys v1 master key check';

/** Field order is part of the format: the file must be byte-identical to this serialization. */
function serialize(e: Omit<EnvelopeV1, 'digest'> & { digest?: string }): string {
  const ordered = {
    v: e.v,
    kdf: e.kdf,
    N: e.N,
    r: e.r,
    p: e.p,
    salt: e.salt,
    nonce: e.nonce,
    keyCheck: e.keyCheck,
    ciphertext: e.ciphertext,
    tag: e.tag,
    ...(e.digest === undefined ? {} : { digest: e.digest }),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/** Binds version, KDF and its parameters to the ciphertext: swapping any of them fails authentication. */
function aad(e: Omit<EnvelopeV1, 'ciphertext' | 'tag' | 'digest'>): Buffer {
  return Buffer.from(
    `qts-keys|v=${e.v}|kdf=${e.kdf}|N=${e.N}|r=${e.r}|p=${e.p}|salt=${e.salt}|nonce=${e.nonce}|keyCheck=${e.keyCheck}`,
    'utf8',
  );
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function checkParams(params: ScryptParams, source: string): void {
  const log2 = Math.log2(params.N);
  const ok =
    Number.isInteger(log2) &&
    log2 >= LOG2_N.min &&
    log2 <= LOG2_N.max &&
    Number.isInteger(params.r) &&
    params.r >= 1 &&
    params.r <= 32 &&
    Number.isInteger(params.p) &&
    params.p >= 1 &&
    params.p <= 16 &&
    128 * params.N * params.r <= MAX_SCRYPT_MEMORY;
  if (!ok)
    throw new QtsError(
      SecurityErrorCode.KeysTampered,
      `${source}: scrypt parameters N=${params.N} r=${params.r} p=${params.p} are out of range (N a power of two 2^${LOG2_N.min}..2^${LOG2_N.max}, r 1..32, p 1..16, ≤ 1 GiB)`,
    );
}

/**
 * 64 bytes from scrypt: the AES-256 key, then the key of the master key check. A failure of
 * scrypt itself (the memory its cost asks for cannot be had, in a small container say) is
 * ERR_KEYS_KDF naming that cost — neither a wrong key nor a damaged file, and never an
 * uncoded crash of `qts live`.
 */
function derive(
  masterKey: string,
  salt: Buffer,
  params: ScryptParams,
  source: string,
): Promise<{ enc: Buffer; check: Buffer }> {
  const failed = (err: unknown): QtsError => {
    const mib = Math.ceil((128 * params.N * params.r) / (1024 * 1024));
    const why = err instanceof Error ? err.message : String(err);
    return new QtsError(
      SecurityErrorCode.KeysKdf,
      `${source}: the key derivation (scrypt N=${params.N} r=${params.r} p=${params.p}, about ${mib} MiB of memory) failed: ${why}. Run it where that much memory is free (a container's memory limit included); to make the file cheaper to open, re-encrypt it there with a lower --scrypt-log-n (qts keys rotate).`,
      { N: params.N, r: params.r, p: params.p },
    );
  };
  return new Promise((resolve, reject) => {
    try {
      scrypt(
        Buffer.from(masterKey.normalize('NFC'), 'utf8'),
        salt,
        64,
        {
          N: params.N,
          r: params.r,
          p: params.p,
          maxmem: 128 * params.r * (params.N + params.p) + 16 * 1024 * 1024,
        },
        (err, key) =>
          err ? reject(failed(err)) : resolve({ enc: key.subarray(0, 32), check: key.subarray(32) }),
      );
    } catch (e) {
      // Node refuses some parameters (or the memory limit) at once, before any callback.
      reject(failed(e));
    }
  });
}

function keyCheckOf(checkKey: Buffer): string {
  return createHmac('sha256', checkKey).update(KEY_CHECK_LABEL).digest('hex');
}

/**
 * Encrypts the credentials with a key derived from `masterKey`: fresh random salt and
 * nonce on every call, AES-256-GCM, returns the file's text (versioned JSON envelope).
 */
export async function sealKeyFile(
  payload: KeyFilePayload,
  masterKey: string,
  params: ScryptParams = DEFAULT_SCRYPT,
): Promise<string> {
  checkParams(params, 'new keys file');
  const salt = randomBytes(16);
  const nonce = randomBytes(12);
  const keys = await derive(masterKey, salt, params, 'new keys file');
  const header = {
    v: 1 as const,
    kdf: 'scrypt' as const,
    N: params.N,
    r: params.r,
    p: params.p,
    salt: salt.toString('hex'),
    nonce: nonce.toString('hex'),
    keyCheck: keyCheckOf(keys.check),
  };
  const cipher = createCipheriv('aes-256-gcm', keys.enc, nonce);
  cipher.setAAD(aad(header));
  const plaintext = Buffer.from(JSON.stringify(KeyFilePayloadSchema.parse(payload)), 'utf8');
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  plaintext.fill(0);
  const body = {
    ...header,
    ciphertext: ciphertext.toString('hex'),
    tag: cipher.getAuthTag().toString('hex'),
  };
  return serialize({ ...body, digest: sha256(serialize(body)) });
}

function tampered(source: string, why: string): QtsError {
  return new QtsError(
    SecurityErrorCode.KeysTampered,
    `${source} was altered or is damaged (${why}): refusing to use it. Restore it from a backup or encrypt the keys again.`,
  );
}

/** Validates the envelope without any key: structure, canonical form, digest and KDF bounds. */
function parseEnvelope(text: string, source: string): EnvelopeV1 {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw tampered(source, 'not valid JSON');
  }
  const v = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)['v'] : undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v > 1)
    throw new QtsError(
      SecurityErrorCode.KeysVersion,
      `${source} has format version ${v}; this build reads version 1 — upgrade quant-trading-system`,
    );
  const parsed = EnvelopeV1Schema.safeParse(raw);
  if (!parsed.success)
    throw tampered(
      source,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
    );
  const e = parsed.data;
  // Byte-exact: any edit, even one JSON would tolerate (whitespace, key order), is a change.
  const canonical = serialize(e);
  if (text !== canonical && text !== canonical.slice(0, -1)) throw tampered(source, 'not in canonical form');
  const { digest, ...body } = e;
  const want = Buffer.from(sha256(serialize(body)), 'hex');
  if (!timingSafeEqual(want, Buffer.from(digest, 'hex'))) throw tampered(source, 'digest mismatch');
  checkParams(e, source);
  return e;
}

/**
 * Decrypts a keys file. A wrong master key and a tampered file are told apart (digest and
 * key check before authenticated decryption), so the message says what to fix.
 */
export async function openKeyFile(
  text: string,
  masterKey: string,
  source = 'keys file',
): Promise<KeyFilePayload> {
  const e = parseEnvelope(text, source);
  const keys = await derive(masterKey, Buffer.from(e.salt, 'hex'), e, source);
  if (!timingSafeEqual(Buffer.from(keyCheckOf(keys.check), 'hex'), Buffer.from(e.keyCheck, 'hex')))
    throw new QtsError(
      SecurityErrorCode.MasterKeyWrong,
      `MASTER_KEY does not open ${source}: wrong master key (the file was encrypted with another one)${masterKey === masterKey.trim() ? '' : '; note that this MASTER_KEY starts or ends with whitespace (a stray space or newline?)'}`,
    );
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys.enc, Buffer.from(e.nonce, 'hex'));
    decipher.setAAD(aad(e));
    decipher.setAuthTag(Buffer.from(e.tag, 'hex'));
    plaintext = Buffer.concat([decipher.update(Buffer.from(e.ciphertext, 'hex')), decipher.final()]);
  } catch {
    throw tampered(source, 'authentication failed');
  }
  try {
    return KeyFilePayloadSchema.parse(JSON.parse(plaintext.toString('utf8')));
  } catch {
    throw tampered(source, 'decrypted content is not a credentials list');
  } finally {
    plaintext.fill(0);
  }
}
