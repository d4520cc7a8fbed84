import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, SecretRegistry } from '../../../src/monitor/SecretRegistry.js';
import { registerConfigSecrets, registerEnvSecrets } from '../../../src/monitor/registerSecrets.js';

const PASSWORD = 'FAKEsmtpPASSword42';

describe('secret values hidden where an attacker would look for them', () => {
  it('a password inside a longer base64 payload (Basic auth, SMTP AUTH PLAIN), at any byte offset', () => {
    const r = new SecretRegistry();
    r.register(PASSWORD);
    for (const prefix of ['ops:', 'user:', 'u:', '\0ops\0', 'x'.repeat(7)]) {
      const b64 = Buffer.from(`${prefix}${PASSWORD}`).toString('base64');
      const out = r.scrub(`Authorization: Basic ${b64}`);
      expect(out).toContain(REDACTED);
      expect(out).not.toContain(b64);
      const url = Buffer.from(`${prefix}${PASSWORD}`).toString('base64url');
      expect(r.scrub(url)).toContain(REDACTED);
    }
  });

  it('two secrets that overlap are both hidden whole, not just the first of them', () => {
    const r = new SecretRegistry();
    r.register('FAKEaaaaaaOVERLAP');
    r.register('OVERLAPbbbbbbFAKE');
    expect(r.scrub('x FAKEaaaaaaOVERLAPbbbbbbFAKE y')).toBe(`x ${REDACTED} y`);
    expect(r.scrub('OVERLAPbbbbbbFAKEaaaaaaOVERLAP')).toBe(REDACTED);
  });

  it('no part of either of two overlapping secrets longer than the overlap stays (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 6, maxLength: 12 }),
        fc.string({ minLength: 3, maxLength: 6 }),
        fc.string({ minLength: 6, maxLength: 12 }),
        fc.string({ maxLength: 10 }),
        fc.string({ maxLength: 10 }),
        (a, shared, b, before, after) => {
          const r = new SecretRegistry();
          const first = `${a}${shared}`;
          const second = `${shared}${b}`;
          r.register(first);
          r.register(second);
          const out = r.scrub(`${before}${a}${shared}${b}${after}`);
          // Whatever surrounds them, the tail of the second secret (b) must not survive
          // next to a redaction, nor the head of the first.
          expect(out).not.toContain(`${REDACTED}${b}${after}`);
          expect(r.contains(out)).toBe(false);
        },
      ),
    );
  });

  it('a webhook URL and the password of any URL in the environment are registered at start', () => {
    const r = new SecretRegistry();
    registerEnvSecrets(
      {
        WEBHOOK_URL: 'https://hooks.example.test/services/T000/B000/FAKEwebhookPATH123',
        REDIS_URL: 'redis://default:FAKEredisPASS%21x@127.0.0.1:6379',
        CLICKHOUSE_URL: 'http://ch.example.test:8123/?user=qts&password=FAKEchPASSWORD9',
        DASHBOARD_API_URL: 'http://127.0.0.1:3000',
      },
      r,
    );
    expect(r.scrub('POST https://hooks.example.test/services/T000/B000/FAKEwebhookPATH123 failed')).toBe(
      `POST ${REDACTED} failed`,
    );
    expect(r.scrub('connect redis://default:FAKEredisPASS%21x@127.0.0.1')).not.toContain('FAKEredisPASS');
    expect(r.scrub('AUTH FAKEredisPASS!x')).toBe(`AUTH ${REDACTED}`);
    expect(r.scrub('password=FAKEchPASSWORD9')).toBe(`password=${REDACTED}`);
    expect(r.scrub('http://127.0.0.1:3000')).toBe('http://127.0.0.1:3000');
  });

  it('the webhook URL and URL passwords of the configuration are registered', () => {
    const r = new SecretRegistry();
    registerConfigSecrets(
      {
        notifications: { webhook: { url: 'https://hooks.example.test/FAKEcfgHOOKtoken77' } },
        storage: { redisUrl: 'rediss://:FAKEcfgREDISpass@redis.example.test' },
        dashboard: { apiUrl: 'http://127.0.0.1:3000' },
      },
      r,
    );
    expect(r.scrub('https://hooks.example.test/FAKEcfgHOOKtoken77')).toBe(REDACTED);
    expect(r.scrub('FAKEcfgREDISpass')).toBe(REDACTED);
    expect(r.scrub('http://127.0.0.1:3000')).toBe('http://127.0.0.1:3000');
  });
});
