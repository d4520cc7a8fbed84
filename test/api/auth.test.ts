import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuthFailureLimiter } from '../../src/api/auth/AuthFailureLimiter.js';
import { authenticatorFor } from '../../src/api/auth/authenticatorFor.js';
import { checkApiExposure, isLoopback } from '../../src/api/auth/checkApiExposure.js';
import { SessionTokens } from '../../src/api/auth/SessionTokens.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import { loadConfig } from '../../src/config/loadConfig.js';
import { isQtsError } from '../../src/core/QtsError.js';
import { EMPTY_CONFIG } from '../support/emptyConfig.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const b64 = (x: unknown): string => Buffer.from(JSON.stringify(x)).toString('base64url');

/** A JWT signed by hand, to forge what jose itself would never produce. */
function handMade(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  secret = SECRET,
): string {
  const body = `${b64(header)}.${b64(payload)}`;
  const alg = header['alg'] === 'HS512' ? 'sha512' : 'sha256';
  return `${body}.${createHmac(alg, secret).update(body).digest('base64url')}`;
}

describe('session tokens (JWT)', () => {
  it('verifies what it issued until it expires, by the injected clock', async () => {
    let now = 1_700_000_000_000;
    const s = new SessionTokens(SECRET, 60, () => now);
    const issued = await s.issue({ name: 'alice', role: 'trader' });
    expect(issued.expiresAt).toBe(now + 60_000);
    expect(await s.verify(issued.token)).toEqual({ name: 'alice', role: 'trader' });
    now += 59_000;
    expect(await s.verify(issued.token)).toEqual({ name: 'alice', role: 'trader' });
    now += 2_000;
    expect(await s.verify(issued.token)).toBeUndefined();
  });

  it('refuses alg none, another algorithm, a tampered payload, another secret and unknown roles', async () => {
    const now = 1_700_000_000_000;
    const s = new SessionTokens(SECRET, 60, () => now);
    const good = (await s.issue({ name: 'bob', role: 'viewer' })).token;
    const [h, p, sig] = good.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;

    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, role: 'admin' })}.`;
    const tampered = `${h}.${b64({ ...claims, role: 'admin' })}.${sig}`;
    const hs512 = handMade({ alg: 'HS512', typ: 'JWT' }, claims);
    const otherSecret = handMade({ alg: 'HS256', typ: 'JWT' }, claims, `${SECRET}-other`);
    const badRole = handMade({ alg: 'HS256', typ: 'JWT' }, { ...claims, role: 'root' });
    const noExp = handMade({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp: undefined });
    const sameButHandMade = handMade({ alg: 'HS256', typ: 'JWT' }, claims);

    expect(await s.verify(sameButHandMade)).toEqual({ name: 'bob', role: 'viewer' });
    for (const forged of [none, tampered, hs512, otherSecret, badRole, noExp, 'x.y.z', ''])
      expect(await s.verify(forged)).toBeUndefined();
  });
});

describe('authenticatorFor', () => {
  const config = AppConfigSchema.parse({
    api: {
      tokens: [
        { name: 'ops', role: 'admin', token: 'admin-token-0123456789' },
        { name: 'view', role: 'viewer', token: 'viewer-token-0123456789' },
      ],
      jwt: { secret: SECRET, ttlSeconds: 30 },
    },
  });

  it('accepts static tokens and session tokens of the same secret, nothing else', async () => {
    const now = 1_700_000_000_000;
    const auth = authenticatorFor(config, () => now);
    expect(auth.configured).toBe(true);
    expect(await auth.authenticate('admin-token-0123456789')).toEqual({ name: 'ops', role: 'admin' });
    expect(await auth.authenticate('viewer-token-0123456789')).toEqual({ name: 'view', role: 'viewer' });
    expect(await auth.authenticate('viewer-token-012345678')).toBeUndefined();
    expect(await auth.authenticate(undefined)).toBeUndefined();
    const session = await new SessionTokens(SECRET, 30, () => now).issue({ name: 'view', role: 'viewer' });
    expect(await auth.authenticate(session.token)).toEqual({ name: 'view', role: 'viewer' });
    const noJwt = authenticatorFor({ ...config, api: { ...config.api, jwt: { ttlSeconds: 30 } } }, () => now);
    expect(await noJwt.authenticate(session.token)).toBeUndefined();
  });
});

describe('exposure check', () => {
  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect(isLoopback(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.5', 'example.com', '128.0.0.1'])
      expect(isLoopback(h)).toBe(false);
  });

  it('refuses a non-loopback address without a token, and allows it with one', () => {
    const open = AppConfigSchema.parse({ api: { host: '0.0.0.0' } });
    let err: unknown;
    try {
      checkApiExposure(open);
    } catch (e) {
      err = e;
    }
    expect(isQtsError(err, 'ERR_API_AUTH_REQUIRED')).toBe(true);
    const withToken = AppConfigSchema.parse({
      api: { host: '0.0.0.0', tokens: [{ name: 'a', role: 'viewer', token: 'viewer-token-0123456789' }] },
    });
    expect(() => checkApiExposure(withToken)).not.toThrow();
    expect(() => checkApiExposure(AppConfigSchema.parse({}))).not.toThrow();
  });
});

describe('auth failure limiter', () => {
  it('blocks an address after N failures for the rest of its window, others unaffected', () => {
    let now = 0;
    const l = new AuthFailureLimiter(3, 1_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(l.blockedFor('a')).toBe(0);
      l.fail('a');
      now += 100;
    }
    expect(l.blockedFor('a')).toBe(700);
    expect(l.blockedFor('b')).toBe(0);
    now = 1_000;
    expect(l.blockedFor('a')).toBe(0);
  });

  it('counts an IPv4 client once whether a socket reports it as 1.2.3.4 or ::ffff:1.2.3.4', () => {
    const l = new AuthFailureLimiter(2, 1_000, () => 0);
    l.fail('::ffff:10.0.0.7');
    l.fail('10.0.0.7');
    expect(l.blockedFor('10.0.0.7')).toBe(1_000);
    expect(l.blockedFor('::FFFF:10.0.0.7')).toBe(1_000);
    expect(l.blockedFor('::ffff:10.0.0.8')).toBe(0);
  });
});

describe('API settings from the environment', () => {
  it('parses API_TOKENS, JWT and CORS variables, and names a bad entry', () => {
    const cfg = loadConfig({
      file: undefined,
      strategiesDir: '/nonexistent',
      env: {
        QTS_CONFIG: EMPTY_CONFIG,
        API_TOKENS: 'ops:admin:tok:with:colons-0123456789, desk:trader:trader-token-0123456789',
        JWT_SECRET: SECRET,
        JWT_TTL_SECONDS: '120',
        API_CORS_ORIGINS: 'http://localhost:5173',
        API_RATE_LIMIT: '50',
      },
    });
    expect(cfg.api.tokens).toEqual([
      { name: 'ops', role: 'admin', token: 'tok:with:colons-0123456789' },
      { name: 'desk', role: 'trader', token: 'trader-token-0123456789' },
    ]);
    expect(cfg.api.jwt).toEqual({ secret: SECRET, ttlSeconds: 120 });
    expect(cfg.api.corsOrigins).toEqual(['http://localhost:5173']);
    expect(cfg.api.rateLimit.max).toBe(50);
    const bad = () =>
      loadConfig({
        strategiesDir: '/nonexistent',
        env: { QTS_CONFIG: EMPTY_CONFIG, API_TOKENS: 'ops:superuser:short' },
      });
    expect(bad).toThrow(/api\.tokens\.0\.role/);
    expect(bad).toThrow(/api\.tokens\.0\.token/);
  });
});
