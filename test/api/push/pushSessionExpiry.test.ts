import { afterEach, describe, expect, it } from 'vitest';
import { authenticatorFor } from '../../../src/api/auth/authenticatorFor.js';
import { SessionTokens } from '../../../src/api/auth/SessionTokens.js';
import { PushServer } from '../../../src/api/push/PushServer.js';
import { AppConfigSchema } from '../../../src/config/configSchema.js';
import { TestPushClient } from './TestPushClient.js';

const SECRET = 'push-session-expiry-secret-0123456789abcdef';
const STATIC = { name: 'vera', role: 'viewer', token: 'viewer-token-0123456789abcdef' } as const;
/** A whole second, so the session's `exp` (in seconds) is exactly NOW + its ttl. */
const NOW = 1_700_000_000_000;
/** The authenticator's clock stands this long before the session's end. */
const LEFT_MS = 300;

const servers: PushServer[] = [];
const clients: TestPushClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

/** A push server as the engine builds it (authenticatorFor), its clock LEFT_MS before a 10 s session ends. */
async function start(): Promise<{ url: string; session: string }> {
  const config = AppConfigSchema.parse({
    api: { tokens: [STATIC], jwt: { secret: SECRET, ttlSeconds: 10 } },
  });
  const authenticator = authenticatorFor(config, () => NOW + 10_000 - LEFT_MS);
  const session = (await new SessionTokens(SECRET, 10, () => NOW).issue(STATIC)).token;
  expect(await authenticator.expiresInMs?.(session)).toBe(LEFT_MS);
  expect(await authenticator.expiresInMs?.(STATIC.token)).toBeUndefined();
  const server = await PushServer.start({
    host: '127.0.0.1',
    port: 0,
    authenticator,
    allowAnonymous: false,
    maxBufferedBytes: 1024 * 1024,
    heartbeatMs: 60_000,
    maxClients: 10,
  });
  servers.push(server);
  return { url: `ws://127.0.0.1:${server.port}/`, session };
}

async function authed(url: string, token: string): Promise<{ client: TestPushClient; at: number }> {
  const client = await TestPushClient.connect(url);
  clients.push(client);
  client.send({ op: 'auth', token });
  await client.waitFor((m) => m.op === 'authed', 'authed');
  return { client, at: performance.now() };
}

describe('a push connection authenticated with a session token', () => {
  it('is closed when the session expires (ERR_PUSH_SESSION_EXPIRED, 4401), not at once and not never', async () => {
    const { url, session } = await start();
    const viaSession = await authed(url, session);
    const viaStatic = await authed(url, STATIC.token);

    const closed = await viaSession.client.waitClose(5_000);
    const after = performance.now() - viaSession.at;
    expect(closed).toEqual({ code: 4401, reason: 'session expired' });
    expect(viaSession.client.messages.at(-1)).toMatchObject({
      op: 'error',
      code: 'ERR_PUSH_SESSION_EXPIRED',
    });
    // At its expiry: the connection was served until then (timers may fire a little early).
    expect(after).toBeGreaterThan(LEFT_MS - 50);

    // A static API token does not expire: its connection, opened at the same time, still answers.
    viaStatic.client.send({ op: 'ping', id: 'still-there' });
    await viaStatic.client.waitFor((m) => m.op === 'pong' && m.id === 'still-there', 'pong');
    expect(viaStatic.client.closed).toBeUndefined();
  });
});
