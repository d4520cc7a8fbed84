import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer } from '../../../src/api/createApiServer.js';
import type { EngineStatusSource } from '../../../src/api/EngineStatus.js';
import { ReadOnlyEngineApi } from '../../../src/api/engine/ReadOnlyEngineApi.js';
import { SessionTokens } from '../../../src/api/auth/SessionTokens.js';
import { AppConfigSchema } from '../../../src/config/configSchema.js';
import type { AuditSink } from '../../../src/monitor/AuditSink.js';
import { openDatabase } from '../../../src/storage/sqlite/openDatabase.js';

const TRADER = 'bad-credentials-trader-0123456789';
const SECRET = 'bad-credentials-jwt-secret-0123456789abcdef';
const NOW = 1_700_000_000_000;
const status: EngineStatusSource = {
  status: () => {
    throw new Error('not asked');
  },
  components: () => [{ name: 'database', ready: true, detail: 'test' }],
};

let app: FastifyInstance;
let db: { close(): void };
/** Every audit record, as text: no credential may be in one. */
const audited: string[] = [];
const audit: AuditSink = {
  record: (kind: string, payload: unknown, actor?: string) => {
    audited.push(JSON.stringify({ kind, payload, actor }));
  },
} as unknown as AuditSink;

beforeAll(async () => {
  const database = openDatabase(join(mkdtempSync(join(tmpdir(), 'qts-bad-creds-')), 'trading.db'));
  db = database;
  app = await createApiServer({
    engine: new ReadOnlyEngineApi(database, 'USDT', 'binance', status),
    config: AppConfigSchema.parse({
      mode: 'api',
      api: {
        tokens: [{ name: 'tess', role: 'trader', token: TRADER }],
        jwt: { secret: SECRET, ttlSeconds: 60 },
        // Every refusal here must be a 401, not the 429 of the failure limit.
        rateLimit: { authFailures: 10_000, max: 10_000 },
      },
    }),
    audit,
    startedAt: 0,
    now: () => NOW,
  });
});

afterAll(async () => {
  await app.close();
  db.close();
});

const b64 = (x: unknown): string => Buffer.from(JSON.stringify(x)).toString('base64url');

describe('missing, malformed, forged and expired credentials', () => {
  it('are a 401 with a message and WWW-Authenticate, never a 500, and never echoed back', async () => {
    const expired = (
      await new SessionTokens(SECRET, 60, () => NOW - 3_600_000).issue({ name: 'tess', role: 'trader' })
    ).token;
    const otherSecret = (
      await new SessionTokens(`${SECRET}-other`, 60, () => NOW).issue({ name: 'tess', role: 'trader' })
    ).token;
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'tess', role: 'admin', exp: 9e9 })}.`;
    const headers: (string | undefined)[] = [
      undefined,
      'Bearer',
      'Bearer ',
      'Basic dGVzczpwYXNz',
      `Basic ${TRADER}`,
      `Bearer ${TRADER}x`,
      `Bearer ${TRADER.slice(0, -1)}`,
      `Bearer ${TRADER} ${TRADER}`,
      'Bearer a.b.c',
      'Bearer ..',
      'Bearer eyJ.eyJ.',
      `Bearer ${none}`,
      `Bearer ${expired}`,
      `Bearer ${otherSecret}`,
      `Bearer ${'x'.repeat(8000)}`,
      `Bearer ${b64({ alg: 'HS256' })}.${'!'.repeat(20)}.sig`,
    ];
    for (const authorization of headers) {
      const r = await app.inject({
        url: '/api/v1/orders',
        headers: authorization === undefined ? {} : { authorization },
      });
      const label = `${(authorization ?? '(none)').slice(0, 40)} → ${r.statusCode}`;
      expect(label).toBe(`${(authorization ?? '(none)').slice(0, 40)} → 401`);
      expect(r.json()).toEqual({ error: 'ERR_UNAUTHORIZED', message: 'a valid bearer token is required' });
      expect(r.headers['www-authenticate']).toBe('Bearer');
      const presented = authorization?.split(' ')[1];
      if (presented !== undefined && presented.length > 8) expect(r.body).not.toContain(presented);
    }
  });

  it('a forged session of any shape is refused without an exception (property)', async () => {
    const sessions = new SessionTokens(SECRET, 60, () => NOW);
    const segment = fc.oneof(
      fc.stringMatching(/^[\w-]{0,60}$/),
      fc.jsonValue().map((v) => b64(v)),
      fc
        .record({
          alg: fc.constantFrom('HS256', 'none', 'RS256', 'ES256', 'dir'),
          crit: fc.array(fc.string()),
          b64: fc.boolean(),
        })
        .map((h) => b64(h)),
    );
    await fc.assert(
      fc.asyncProperty(segment, segment, segment, async (h, p, sig) => {
        expect(await sessions.verify(`${h}.${p}.${sig}`)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('the right token passes, with any case of "Bearer" and trailing spaces', async () => {
    for (const authorization of [`Bearer ${TRADER}`, `bearer ${TRADER}`, `BEARER   ${TRADER}  `]) {
      const r = await app.inject({ url: '/api/v1/auth/me', headers: { authorization } });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual({ name: 'tess', role: 'trader' });
    }
  });

  it('login refuses a wrong token, a right token under another name, and a session token, with 401', async () => {
    const session = (await new SessionTokens(SECRET, 60, () => NOW).issue({ name: 'tess', role: 'trader' }))
      .token;
    for (const payload of [
      { name: 'tess', token: `${TRADER}x` },
      { name: 'someone', token: TRADER },
      // A session cannot be traded for a fresh one: a stolen session would never expire.
      { name: 'tess', token: session },
    ]) {
      const r = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload });
      expect(`${payload.name} ${r.statusCode}`).toBe(`${payload.name} 401`);
      expect(r.json()).toEqual({ error: 'ERR_UNAUTHORIZED', message: 'unknown name or token' });
      expect(r.body).not.toContain(payload.token);
    }
    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { name: 'tess', token: TRADER },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      name: 'tess',
      role: 'trader',
      tokenType: 'Bearer',
      expiresAt: NOW + 60_000,
    });
  });

  it('login with a missing, empty or non-JSON body is a 400 naming the problem, not a 500', async () => {
    for (const [payload, contentType] of [
      [undefined, undefined],
      ['', 'application/json'],
      ['{"name":"tess","token":', 'application/json'],
      ['name=tess&token=x', 'application/x-www-form-urlencoded'],
      [JSON.stringify({ name: 'tess' }), 'application/json'],
    ] as const) {
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        ...(payload === undefined ? {} : { payload }),
        headers: contentType === undefined ? {} : { 'content-type': contentType },
      });
      expect(`${String(payload)} ${r.statusCode}`).toMatch(/ 4(00|15)$/);
      expect(r.json<{ message: string }>().message.length).toBeGreaterThan(0);
    }
  });

  it('no credential presented reaches the audit trail', () => {
    expect(audited.some((a) => a.includes('auth.login_failed'))).toBe(true);
    for (const line of audited) expect(line).not.toContain(TRADER);
  });
});
