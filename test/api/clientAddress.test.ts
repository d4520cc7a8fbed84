/**
 * Who a client is, for the failed-login limit and the audit trail, as the engine's own ports
 * see it: X-Forwarded-For is believed from a trusted proxy only (api.trustedProxies, loopback
 * by default), so a direct client cannot dodge the limit or lock someone else out by writing
 * the header; and the dashboard the engine serves itself names each browser to the push
 * server, so one browser's guesses at /ws do not lock out the others. Clients connect from
 * addresses of their own (127.0.0.2, …).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../src/config/configSchema.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import type { EngineRig } from '../support/engineRig.js';
import { httpFrom, pushLoginFrom, startEngineRig } from '../support/engineRig.js';

const TOKEN = 'operator-token-0123456789';
const MALLORY = '127.0.0.2';
const ALICE = '127.0.0.3';
const LIMIT = 3;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function config(trustedProxies?: string[]): AppConfig {
  return AppConfigSchema.parse({
    mode: 'api',
    api: {
      tokens: [{ name: 'ops', role: 'admin', token: TOKEN }],
      jwt: { secret: 'client-address-test-secret-0123456789abcdef' },
      rateLimit: { authFailures: LIMIT, authWindowMs: 60_000 },
      ...(trustedProxies === undefined ? {} : { trustedProxies }),
    },
  });
}

async function rig(cfg: AppConfig, serveWeb = false): Promise<EngineRig> {
  const engine = await startEngineRig(cfg, { serveWeb });
  closers.push(() => engine.close());
  return engine;
}

function login(engine: EngineRig, from: string, token: string, xff?: string) {
  return httpFrom(from, `${engine.apiUrl}/api/v1/auth/login`, {
    method: 'POST',
    body: { name: 'ops', token },
    headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
  });
}

const failedIps = (engine: EngineRig): Set<unknown> =>
  new Set(engine.audit.filter((a) => a.kind === 'auth.login_failed').map((a) => a.data['ip']));

describe('X-Forwarded-For from a client that is not a trusted proxy', () => {
  it('REST: a direct client is limited on its own address whatever it claims, and cannot lock out the address it claims', async () => {
    const engine = await rig(config());
    for (let i = 0; i < LIMIT; i++)
      expect((await login(engine, MALLORY, `wrong-guess-${i}-0123456789`, `10.9.9.${i}`)).status).toBe(401);
    expect((await login(engine, MALLORY, TOKEN, '10.9.9.100')).status).toBe(429);
    expect((await login(engine, MALLORY, TOKEN, `10.9.9.1, ${ALICE}`)).status).toBe(429);
    expect(failedIps(engine)).toEqual(new Set([MALLORY]));
    expect((await login(engine, ALICE, TOKEN)).status).toBe(200);
  });

  it('push: the same on the push port, where the upgrade request carries the header', async () => {
    const engine = await rig(config());
    for (let i = 0; i < LIMIT; i++) {
      const guess = await pushLoginFrom(MALLORY, engine.pushUrl, `wrong-guess-${i}-0123456789`, {
        'x-forwarded-for': `10.9.9.${i}`,
      });
      expect(guess.answer).toMatchObject({ code: 'ERR_PUSH_AUTH_FAILED' });
    }
    const blocked = await pushLoginFrom(MALLORY, engine.pushUrl, TOKEN, { 'x-forwarded-for': ALICE });
    expect(blocked).toMatchObject({ answer: { code: 'ERR_PUSH_RATE_LIMITED' }, close: 4429 });
    expect((await pushLoginFrom(ALICE, engine.pushUrl, TOKEN)).answer).toMatchObject({ op: 'authed' });
    const failed = engine.audit.filter((a) => a.kind === 'push.auth.failed').map((a) => a.data['address']);
    expect(new Set(failed)).toEqual(new Set([MALLORY]));
  });

  it('with api.trustedProxies [] not even a loopback peer is believed', async () => {
    const engine = await rig(config([]));
    expect((await login(engine, '127.0.0.1', 'wrong-guess-0123456789', '192.0.2.7')).status).toBe(401);
    expect(failedIps(engine)).toEqual(new Set(['127.0.0.1']));
  });
});

describe('X-Forwarded-For from a trusted proxy', () => {
  it('names the client: the first untrusted hop from the proxy back, not the leftmost entry a client may have written', async () => {
    // 127.0.0.1 (loopback, trusted by default) plays an nginx that appends its peer.
    const engine = await rig(config());
    const nginx = '127.0.0.1';
    for (let i = 0; i < LIMIT; i++)
      expect(
        (await login(engine, nginx, `wrong-guess-${i}-0123456789`, `10.9.9.${i}, ${MALLORY}`)).status,
      ).toBe(401);
    expect((await login(engine, nginx, TOKEN, MALLORY)).status).toBe(429);
    expect(failedIps(engine)).toEqual(new Set([MALLORY]));
    // The proxy's other clients, and the proxy itself, are not locked out.
    expect((await login(engine, nginx, TOKEN, ALICE)).status).toBe(200);
    expect((await login(engine, nginx, TOKEN)).status).toBe(200);
  });
});

describe('the dashboard served by the engine itself (/ws on the API port)', () => {
  it('one browser guessing tokens at /ws gets 4429, another still authenticates; its own header is not passed on', async () => {
    const engine = await rig(config(), true);
    const ws = `${engine.apiUrl.replace('http:', 'ws:')}/ws`;
    for (let i = 0; i < LIMIT; i++) {
      const guess = await pushLoginFrom(MALLORY, ws, `wrong-guess-${i}-0123456789`, {
        'x-forwarded-for': `10.9.9.${i}`,
      });
      expect(guess.answer).toMatchObject({ code: 'ERR_PUSH_AUTH_FAILED' });
    }
    const blocked = await pushLoginFrom(MALLORY, ws, TOKEN);
    expect(blocked).toMatchObject({ answer: { code: 'ERR_PUSH_RATE_LIMITED' }, close: 4429 });
    // REST counts into the same limit, under the same address.
    expect((await login(engine, MALLORY, TOKEN)).status).toBe(429);

    expect((await pushLoginFrom(ALICE, ws, TOKEN)).answer).toMatchObject({ op: 'authed', name: 'ops' });
    expect(engine.audit.filter((a) => a.kind === 'push.auth').map((a) => a.data['address'])).toEqual([ALICE]);
  });
});
