import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthFailureLimiter } from '../../../src/api/auth/AuthFailureLimiter.js';
import { authenticatorFor } from '../../../src/api/auth/authenticatorFor.js';
import { createAuthenticator } from '../../../src/api/auth/createAuthenticator.js';
import type { Authenticator } from '../../../src/api/auth/Identity.js';
import { createApiServer } from '../../../src/api/createApiServer.js';
import type { EngineStatusSource } from '../../../src/api/EngineStatus.js';
import { ReadOnlyEngineApi } from '../../../src/api/engine/ReadOnlyEngineApi.js';
import type { PushServerOptions } from '../../../src/api/push/PushServer.js';
import { PushServer } from '../../../src/api/push/PushServer.js';
import { AppConfigSchema } from '../../../src/config/configSchema.js';
import { NULL_AUDIT } from '../../../src/monitor/AuditSink.js';
import { openDatabase } from '../../../src/storage/sqlite/openDatabase.js';
import type { PushMessage } from './TestPushClient.js';
import { TestPushClient } from './TestPushClient.js';

const TOKEN = 'viewer-token-0123456789';
const WINDOW_MS = 60_000;

const servers: PushServer[] = [];
const clients: TestPushClient[] = [];
const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
  for (const close of closers.splice(0)) await close();
});

async function start(
  authenticator: Authenticator,
  over: Partial<PushServerOptions> = {},
): Promise<{ server: PushServer; url: string }> {
  const server = await PushServer.start({
    host: '127.0.0.1',
    port: 0,
    authenticator,
    allowAnonymous: false,
    maxBufferedBytes: 1024 * 1024,
    heartbeatMs: 60_000,
    maxClients: 100,
    ...over,
  });
  servers.push(server);
  return { server, url: `ws://127.0.0.1:${server.port}/` };
}

/** Connects, authenticates with `token` and waits for the answer: authed, or an error and the close. */
async function login(
  url: string,
  token: string,
): Promise<{ answer: PushMessage; close: number | undefined }> {
  const c = await TestPushClient.connect(url);
  clients.push(c);
  c.send({ op: 'auth', token });
  const answer = await c.waitFor((m) => m.op === 'authed' || m.op === 'error', 'auth answer');
  return { answer, close: answer.op === 'error' ? (await c.waitClose()).code : undefined };
}

describe('push authentication under the per-address failure limit', () => {
  it('refuses even the right token after too many failed logins, reconnects included, until the window ends', async () => {
    const clock = { now: 1_700_000_000_000 };
    const failures = new AuthFailureLimiter(3, WINDOW_MS, () => clock.now);
    const { server, url } = await start(
      createAuthenticator([{ name: 'alice', token: TOKEN, role: 'viewer' }]),
      {
        authFailures: failures,
      },
    );
    for (let i = 0; i < 3; i++) {
      const guess = await login(url, `wrong-guess-${i}-0123456789`);
      expect(guess.answer).toMatchObject({ code: 'ERR_PUSH_AUTH_FAILED' });
      expect(guess.close).toBe(4401);
    }
    const blocked = await login(url, TOKEN);
    expect(blocked.answer).toMatchObject({ code: 'ERR_PUSH_RATE_LIMITED', retryAfterMs: WINDOW_MS });
    expect(blocked.close).toBe(4429);
    // The handshake credential is held to the same limit.
    const viaQuery = await TestPushClient.connect(`${url}?token=${TOKEN}`);
    clients.push(viaQuery);
    expect(await viaQuery.waitFor((m) => m.op === 'error', 'error')).toMatchObject({
      code: 'ERR_PUSH_RATE_LIMITED',
    });
    expect(server.stats().authenticated).toBe(0);

    clock.now += WINDOW_MS;
    expect((await login(url, TOKEN)).answer).toMatchObject({ op: 'authed', name: 'alice' });
  });

  it('guesses sent at once: only as many answers as the limit tell a right token from a wrong one', async () => {
    const tokens = createAuthenticator([{ name: 'alice', token: TOKEN, role: 'viewer' }]);
    // A slow check, so every guess is in flight before the first is counted.
    const slow: Authenticator = {
      configured: true,
      authenticate: async (bearer) => {
        await new Promise((r) => setTimeout(r, 100));
        return tokens.authenticate(bearer);
      },
    };
    const { url } = await start(slow, { authFailures: new AuthFailureLimiter(3, WINDOW_MS, () => 0) });
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => login(url, `wrong-guess-${i}-0123456789`)),
    );
    const codes = answers.map((a) => a.answer['code']);
    expect(codes.filter((c) => c === 'ERR_PUSH_AUTH_FAILED')).toHaveLength(3);
    expect(codes.filter((c) => c === 'ERR_PUSH_RATE_LIMITED')).toHaveLength(5);
  });

  it('counts into the same limiter as the REST API of the configuration, both ways', async () => {
    const ADMIN = 'admin-token-0123456789abcdef';
    const config = AppConfigSchema.parse({
      mode: 'api',
      api: {
        tokens: [{ name: 'ada', role: 'admin', token: ADMIN }],
        jwt: { secret: 'push-limit-test-secret-0123456789abcdef', ttlSeconds: 60 },
        rateLimit: { authFailures: 3, authWindowMs: WINDOW_MS },
      },
    });
    const clock = { now: 1_700_000_000_000 };
    const now = (): number => clock.now;
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'qts-push-limit-')), 'trading.db'));
    closers.push(() => {
      db.close();
    });
    const status: EngineStatusSource = {
      status: () => {
        throw new Error('not asked');
      },
      components: () => [],
    };
    const app: FastifyInstance = await createApiServer({
      engine: new ReadOnlyEngineApi(db, 'USDT', 'binance', status),
      config,
      audit: NULL_AUDIT,
      startedAt: clock.now,
      now,
    });
    closers.push(() => app.close());
    // As the push service builds it: from the same configuration, nothing else passed.
    const { url } = await start(authenticatorFor(config, now));
    const rest = (token: string) =>
      app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { name: 'ada', token } });

    expect((await rest('wrong-1')).statusCode).toBe(401);
    expect((await rest('wrong-2')).statusCode).toBe(401);
    expect((await login(url, 'wrong-push-guess-0123456789')).answer).toMatchObject({
      code: 'ERR_PUSH_AUTH_FAILED',
    });
    // Three failures between the two ports: both refuse the right token now.
    expect((await login(url, ADMIN)).answer).toMatchObject({ code: 'ERR_PUSH_RATE_LIMITED' });
    expect((await rest(ADMIN)).statusCode).toBe(429);

    clock.now += WINDOW_MS;
    expect((await login(url, ADMIN)).answer).toMatchObject({ op: 'authed', name: 'ada' });
    expect((await rest(ADMIN)).statusCode).toBe(200);
  });
});
