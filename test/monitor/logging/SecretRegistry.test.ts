import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIN_SECRET_LENGTH, REDACTED, SecretRegistry } from '../../../src/monitor/SecretRegistry.js';
import {
  collectSecretValues,
  isSecretEnvName,
  isSecretKey,
  redactSecrets,
} from '../../../src/monitor/redactSecrets.js';
import {
  registerConfigSecrets,
  registerEnvSecrets,
  registerJsonTextSecrets,
} from '../../../src/monitor/registerSecrets.js';

describe('SecretRegistry', () => {
  it('scrubs every occurrence, in raw, JSON-escaped, URL-encoded and base64 form', () => {
    const r = new SecretRegistry();
    const secret = 'p"a/ss wörd\\1';
    r.register(secret);
    const texts = [
      `login with ${secret} and again ${secret}`,
      JSON.stringify({ msg: `bad ${secret}` }),
      `https://api.telegram.org/bot${encodeURIComponent(secret)}/sendMessage`,
      `Authorization: Basic ${Buffer.from(secret).toString('base64')}`,
    ];
    for (const t of texts) {
      const out = r.scrub(t);
      expect(out).toContain(REDACTED);
      expect(out).not.toContain(secret);
      expect(r.contains(out)).toBe(false);
    }
    expect(r.scrub('nothing here')).toBe('nothing here');
  });

  it('ignores values too short to be secrets, and non-strings', () => {
    const r = new SecretRegistry();
    r.register('x'.repeat(MIN_SECRET_LENGTH - 1));
    r.register(undefined);
    r.register(12345678);
    expect(r.size).toBe(0);
    expect(r.scrub('xxxxx')).toBe('xxxxx');
  });

  it('replaces the longer of two overlapping secrets whole', () => {
    const r = new SecretRegistry();
    r.register('abcdef');
    r.register('abcdefghij');
    expect(r.scrub('[abcdefghij]')).toBe(`[${REDACTED}]`);
  });

  it('deep-scrubs strings and keys of plain objects and arrays', () => {
    const r = new SecretRegistry();
    r.register('tok-123456');
    expect(r.scrubDeep({ a: ['x tok-123456'], 'tok-123456': { b: 'tok-123456' } })).toEqual({
      a: [`x ${REDACTED}`],
      [REDACTED]: { b: REDACTED },
    });
  });

  it('never lets a registered secret through, whatever surrounds it (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: MIN_SECRET_LENGTH, maxLength: 24 }),
        fc.string({ maxLength: 30 }),
        fc.string({ maxLength: 30 }),
        fc.nat({ max: 3 }),
        (secret, before, after, times) => {
          const r = new SecretRegistry();
          r.register(secret);
          const text = `${before}${secret.repeat(times + 1)}${after}`;
          const out = r.scrub(text);
          expect(out.includes(secret)).toBe(false);
          expect(out.includes(JSON.stringify(secret).slice(1, -1))).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('re-scrubs when a replacement and the text after it spell the secret again', () => {
    const r = new SecretRegistry();
    r.register('D]zzzz');
    const out = r.scrub('D]zzzzzzzz');
    expect(out).not.toContain('D]zzzz');
  });
});

describe('key-based redaction', () => {
  it('knows secret field and variable names, and leaves ordinary ones', () => {
    for (const k of [
      'apiKey',
      'api_key',
      'API-KEY',
      'secret',
      'botToken',
      'smtpPass',
      'pass',
      'MASTER_KEY',
      'Authorization',
      'webhookSecret',
      'privateKey',
      'passphrase',
    ])
      expect(isSecretKey(k)).toBe(true);
    for (const k of ['symbol', 'tokens', 'keysFile', 'name', 'role', 'hash', 'prev', 'orderId', 'key'])
      expect(isSecretKey(k)).toBe(false);
    for (const n of [
      'MASTER_KEY',
      'NEW_MASTER_KEY',
      'API_TOKENS',
      'JWT_SECRET',
      'EXCHANGE_API_KEY',
      'EXCHANGE_API_SECRET',
      'SMTP_PASS',
      'TELEGRAM_BOT_TOKEN',
      'WEBHOOK_SECRET',
    ])
      expect(isSecretEnvName(n)).toBe(true);
    for (const n of ['KEYS_FILE', 'LOG_LEVEL', 'API_PORT', 'TRADING_MODE', 'PATH'])
      expect(isSecretEnvName(n)).toBe(false);
  });

  it('redacts secret fields at any depth, keeps everything else, and does not mutate', () => {
    const input = {
      api: { tokens: [{ name: 'ops', token: 'tok-aaaaaaaa', role: 'admin' }] },
      deep: { a: { b: { c: { d: { e: { apiKey: 'k-bbbbbbbb' } } } } } },
      n: 1,
    };
    const out = redactSecrets(input);
    expect(out.api.tokens[0]).toEqual({ name: 'ops', token: REDACTED, role: 'admin' });
    expect(out.deep.a.b.c.d.e.apiKey).toBe(REDACTED);
    expect(out.n).toBe(1);
    expect(input.api.tokens[0]?.token).toBe('tok-aaaaaaaa');
    expect(collectSecretValues(input).sort()).toEqual(['k-bbbbbbbb', 'tok-aaaaaaaa']);
  });

  it('registers secrets from the environment, the configuration and even unparsable JSON text', () => {
    const r = new SecretRegistry();
    registerEnvSecrets(
      { API_TOKENS: 'ops:admin:env-token-1234,view:viewer:env-token-5678', LOG_LEVEL: 'debug-level' },
      r,
    );
    expect(r.scrub('env-token-5678')).toBe(REDACTED);
    expect(r.scrub('debug-level')).toBe('debug-level');
    registerConfigSecrets({ notifications: { telegram: { botToken: '123:cfg-bot-token' } } }, r);
    expect(r.scrub('/bot123:cfg-bot-token/')).toBe(`/bot${REDACTED}/`);
    registerJsonTextSecrets('{ "api": { "tokens": [{ "token": "file-token-\\"q" }] ,,, oops', r);
    expect(r.scrub('file-token-"q')).toBe(REDACTED);
  });
});
