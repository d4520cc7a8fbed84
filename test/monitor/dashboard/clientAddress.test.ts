/**
 * Behind the web dashboard every browser reached the engine from the dashboard's address:
 * ten bad tokens from anyone who could open the dashboard locked the operator out of it —
 * kill switch included — for the whole window. The engine now counts each browser under its
 * own address, which the dashboard names in X-Forwarded-For, and believes that header only
 * from its trusted proxies (loopback by default); the dashboard never passes on a header a
 * browser wrote. Clients here connect from addresses of their own (127.0.0.2, …).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TrustedProxies } from '../../../src/api/auth/TrustedProxies.js';
import type { AppConfig } from '../../../src/config/configSchema.js';
import { AppConfigSchema } from '../../../src/config/configSchema.js';
import { DashboardServer } from '../../../src/monitor/dashboard/DashboardServer.js';
import type { EngineRig } from '../../support/engineRig.js';
import { httpFrom, pushLoginFrom, startEngineRig } from '../../support/engineRig.js';

const TOKEN = 'operator-token-0123456789';
const MALLORY = '127.0.0.2';
const ALICE = '127.0.0.3';
const LIMIT = 3;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** Every default but a token, login sessions and a small failure limit. */
function config(over: Record<string, unknown> = {}): AppConfig {
  return AppConfigSchema.parse({
    mode: 'api',
    api: {
      tokens: [{ name: 'ops', role: 'admin', token: TOKEN }],
      jwt: { secret: 'client-address-test-secret-0123456789abcdef' },
      rateLimit: { authFailures: LIMIT, authWindowMs: 60_000, ...over },
    },
  });
}

/** The engine and the standalone dashboard in front of it, as the dashboard entry starts it. */
async function rig(cfg = config()): Promise<{ engine: EngineRig; url: string; ws: string }> {
  const engine = await startEngineRig(cfg);
  closers.push(() => engine.close());
  const dashboard = await DashboardServer.start({
    host: '127.0.0.1',
    port: 0,
    apiUrl: engine.apiUrl,
    pushUrl: engine.pushUrl,
    trustedProxies: new TrustedProxies(cfg.dashboard.trustedProxies),
  });
  closers.push(() => dashboard.close());
  return { engine, url: `http://127.0.0.1:${dashboard.port}`, ws: `ws://127.0.0.1:${dashboard.port}/ws` };
}

function login(from: string, url: string, token: string, headers: Record<string, string> = {}) {
  return httpFrom(from, `${url}/api/v1/auth/login`, {
    method: 'POST',
    body: { name: 'ops', token },
    headers,
  });
}

describe('the engine behind the standalone dashboard tells its browsers apart', () => {
  it('REST: one browser guessing tokens is locked out, another still logs in and is audited under its own address', async () => {
    const { engine, url } = await rig();
    for (let i = 0; i < LIMIT; i++)
      expect((await login(MALLORY, url, `wrong-guess-${i}-0123456789`)).status).toBe(401);
    expect((await login(MALLORY, url, TOKEN)).status).toBe(429);

    const alice = await login(ALICE, url, TOKEN);
    expect(alice.status).toBe(200);
    const session = String(alice.body['token']);
    const me = await httpFrom(ALICE, `${url}/api/v1/auth/me`, {
      headers: { authorization: `Bearer ${session}` },
    });
    expect(me).toEqual({ status: 200, body: { name: 'ops', role: 'admin' } });

    const ips = (kind: string) => engine.audit.filter((a) => a.kind === kind).map((a) => a.data['ip']);
    expect(new Set(ips('auth.login_failed'))).toEqual(new Set([MALLORY]));
    expect(ips('auth.login')).toEqual([ALICE]);
  });

  it('push (/ws): one browser guessing tokens gets 4429, another still authenticates', async () => {
    const { engine, ws } = await rig();
    for (let i = 0; i < LIMIT; i++) {
      const guess = await pushLoginFrom(MALLORY, ws, `wrong-guess-${i}-0123456789`);
      expect(guess.answer).toMatchObject({ code: 'ERR_PUSH_AUTH_FAILED' });
    }
    const blocked = await pushLoginFrom(MALLORY, ws, TOKEN);
    expect(blocked.answer).toMatchObject({ code: 'ERR_PUSH_RATE_LIMITED' });
    expect(blocked.close).toBe(4429);

    expect((await pushLoginFrom(ALICE, ws, TOKEN)).answer).toMatchObject({ op: 'authed', name: 'ops' });
    expect(engine.audit.filter((a) => a.kind === 'push.auth').map((a) => a.data['address'])).toEqual([ALICE]);
    expect(
      new Set(engine.audit.filter((a) => a.kind === 'push.auth.failed').map((a) => a.data['address'])),
    ).toEqual(new Set([MALLORY]));
  });

  it('the request rate limit is per browser too', async () => {
    const { url } = await rig(config({ max: 3 }));
    const me = (from: string) =>
      httpFrom(from, `${url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${TOKEN}` } });
    for (let i = 0; i < 3; i++) expect((await me(MALLORY)).status).toBe(200);
    expect(await me(MALLORY)).toMatchObject({ status: 429, body: { error: 'ERR_RATE_LIMITED' } });
    expect((await me(ALICE)).status).toBe(200);
  });

  it('a browser cannot name itself someone else through the dashboard: its own X-Forwarded-For is replaced', async () => {
    const { engine, url, ws } = await rig();
    // Each guess claims another address (to dodge the limit), the last ones claim Alice's
    // (to lock her out): all count against the browser's own address.
    for (let i = 0; i < LIMIT; i++)
      expect(
        (await login(MALLORY, url, `wrong-guess-${i}-0123456789`, { 'x-forwarded-for': `10.9.9.${i}` }))
          .status,
      ).toBe(401);
    expect((await login(MALLORY, url, TOKEN, { 'x-forwarded-for': ALICE })).status).toBe(429);
    const viaPush = await pushLoginFrom(MALLORY, ws, TOKEN, { 'x-forwarded-for': '10.9.9.200' });
    expect(viaPush.answer).toMatchObject({ code: 'ERR_PUSH_RATE_LIMITED' });

    expect((await login(ALICE, url, TOKEN)).status).toBe(200);
    expect((await pushLoginFrom(ALICE, ws, TOKEN)).answer).toMatchObject({ op: 'authed' });
    expect(
      new Set(engine.audit.filter((a) => a.kind === 'auth.login_failed').map((a) => a.data['ip'])),
    ).toEqual(new Set([MALLORY]));
  });

  it('behind a front proxy the dashboard trusts, the chain it got is passed on with the proxy appended', async () => {
    // MALLORY's address plays a front nginx here. The engine walks the whole chain, so it
    // trusts every proxy on the way: the nginx as well as the dashboard.
    const cfg = config();
    const { url } = await rig({
      ...cfg,
      api: { ...cfg.api, trustedProxies: [...TrustedProxies.LOOPBACK, MALLORY] },
      dashboard: { ...cfg.dashboard, trustedProxies: [MALLORY] },
    });
    for (let i = 0; i < LIMIT; i++)
      expect(
        (await login(MALLORY, url, `wrong-guess-${i}-0123456789`, { 'x-forwarded-for': '192.0.2.7' })).status,
      ).toBe(401);
    // The client behind the nginx is blocked, not the nginx's other clients…
    expect((await login(MALLORY, url, TOKEN, { 'x-forwarded-for': '192.0.2.7' })).status).toBe(429);
    expect((await login(MALLORY, url, TOKEN, { 'x-forwarded-for': '192.0.2.8' })).status).toBe(200);
    // …and a browser at the dashboard itself, untrusted there, is not believed.
    expect((await login(ALICE, url, TOKEN, { 'x-forwarded-for': '192.0.2.7' })).status).toBe(200);
  });
});
