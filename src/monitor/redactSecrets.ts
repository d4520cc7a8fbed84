import { REDACTED } from './SecretRegistry.js';

/**
 * Field names that hold secrets, compared without case, `_` or `-`: `apiKey`, `api_key`,
 * `API-KEY`, `secret`, `botToken`, `smtpPass`, `MASTER_KEY`, `Authorization`, …
 */
const SECRET_NAMES = new Set([
  'apikey',
  'apisecret',
  'secret',
  'secretkey',
  'clientsecret',
  'password',
  'passwd',
  'pass',
  'passphrase',
  'token',
  'accesstoken',
  'refreshtoken',
  'bottoken',
  'authtoken',
  'bearer',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'xapikey',
  'xmbxapikey',
  'masterkey',
  'newmasterkey',
  'privatekey',
  'signingkey',
  'hmackey',
  'jwtsecret',
  'credentials',
]);

/** Names ending like these are secret too (`webhookSecret`, `smtpPassword`, `telegramToken`). */
const SECRET_SUFFIXES = [
  'secret',
  'password',
  'pass',
  'passphrase',
  'token',
  'apikey',
  'privatekey',
  'masterkey',
];

/** True when a field of this name holds a secret. */
export function isSecretKey(name: string): boolean {
  const n = name.toLowerCase().replace(/[-_]/g, '');
  return SECRET_NAMES.has(n) || SECRET_SUFFIXES.some((s) => n.endsWith(s));
}

/**
 * A deep copy of `value` in which every field named like a secret holds [REDACTED]
 * (its value, whatever its type). Plain objects and arrays are walked to any depth;
 * Errors, class instances and cycles are left to the value scrubber.
 */
export function redactSecrets<T>(value: T): T {
  return walk(value, new WeakSet()) as T;
}

function walk(value: unknown, seen: WeakSet<object>): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return value;
  if (Array.isArray(value)) {
    seen.add(value);
    return value.map((v) => walk(v, seen));
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  seen.add(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretKey(k) && v !== undefined && v !== null && v !== '' ? REDACTED : walk(v, seen);
  }
  return out;
}

/** Secret values found under secret-named fields of `value`, at any depth (to register them). */
export function collectSecretValues(value: unknown): string[] {
  const found: string[] = [];
  const visit = (v: unknown, secretField: boolean, seen: WeakSet<object>): void => {
    if (typeof v === 'string') {
      if (secretField) found.push(v);
      return;
    }
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const x of v) visit(x, secretField, seen);
      return;
    }
    for (const [k, x] of Object.entries(v)) visit(x, secretField || isSecretKey(k), seen);
  };
  visit(value, false, new WeakSet());
  return found;
}

/** Environment variable names that hold secrets: API_TOKENS, MASTER_KEY, EXCHANGE_API_SECRET, SMTP_PASS, … */
export function isSecretEnvName(name: string): boolean {
  return /(^|_)(KEY|SECRET|TOKENS?|PASSWORD|PASS|PASSPHRASE|CREDENTIALS?)(_|$)/i.test(name);
}
