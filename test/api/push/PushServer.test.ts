import { afterEach, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../../src/api/auth/createAuthenticator.js';
import type { PushChannel } from '../../../src/api/push/PushChannel.js';
import type { PushServerOptions } from '../../../src/api/push/PushServer.js';
import { PushServer } from '../../../src/api/push/PushServer.js';
import type { PushMessage } from './TestPushClient.js';
import { TestPushClient, eventually } from './TestPushClient.js';

const TOKEN = 'viewer-token-0123456789';
const auth = createAuthenticator([{ name: 'alice', token: TOKEN, role: 'viewer' }]);

const servers: PushServer[] = [];
const clients: TestPushClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

async function start(over: Partial<PushServerOptions> = {}): Promise<{ server: PushServer; url: string }> {
  const server = await PushServer.start({
    host: '127.0.0.1',
    port: 0,
    authenticator: auth,
    allowAnonymous: false,
    maxBufferedBytes: 1024 * 1024,
    heartbeatMs: 60_000,
    maxClients: 100,
    ...over,
  });
  servers.push(server);
  return { server, url: `ws://127.0.0.1:${server.port}/` };
}

async function connect(url: string, protocols?: string[]): Promise<TestPushClient> {
  const c = await TestPushClient.connect(url, protocols);
  clients.push(c);
  return c;
}

/** A connected client that authenticated with its first message. */
async function authed(url: string): Promise<TestPushClient> {
  const c = await connect(url);
  c.send({ op: 'auth', token: TOKEN, id: 'a' });
  await c.waitFor((m) => m.op === 'authed', 'authed');
  return c;
}

const isSnapshot = (channel: string) => (m: PushMessage) => m.op === 'snapshot' && m.channel === channel;

describe('PushServer', () => {
  it('authenticates by first message, answers a subscription with a snapshot, then numbered events', async () => {
    const { server, url } = await start();
    let state = { n: 0 };
    const ch = server.channel({ name: 'equity', snapshot: () => state });
    const c = await connect(url);
    const hello = await c.waitFor((m) => m.op === 'hello', 'hello');
    expect(hello).toMatchObject({ auth: 'required', epoch: server.epoch, channels: ['equity'] });
    c.send({ op: 'auth', token: TOKEN, id: 1 });
    expect(await c.waitFor((m) => m.op === 'authed', 'authed')).toMatchObject({
      name: 'alice',
      role: 'viewer',
      id: 1,
    });
    state = { n: 41 };
    ch.publish({ n: 41 }); // before the subscription: not delivered, but counted
    c.send({ op: 'subscribe', channel: 'equity', id: 's' });
    expect(await c.waitFor(isSnapshot('equity'), 'snapshot')).toMatchObject({
      seq: 1,
      data: { n: 41 },
      id: 's',
    });
    ch.publish({ n: 42 });
    ch.publish({ n: 43 });
    await c.until(() => (c.events('equity').length === 2 ? true : undefined), 'two events');
    expect(c.events('equity').map((e) => [e.seq, e.data])).toEqual([
      [2, { n: 42 }],
      [3, { n: 43 }],
    ]);
    c.send({ op: 'ping', id: 'p1' });
    expect(await c.waitFor((m) => m.op === 'pong', 'pong')).toMatchObject({ id: 'p1' });
    c.send({ op: 'unsubscribe', channel: 'equity', id: 'u' });
    await c.waitFor((m) => m.op === 'unsubscribed', 'unsubscribed');
    ch.publish({ n: 44 });
    c.send({ op: 'ping', id: 'p2' });
    await c.waitFor((m) => m.op === 'pong' && m.id === 'p2', 'pong 2');
    expect(c.events('equity')).toHaveLength(2);
    expect(server.stats()).toMatchObject({ clients: 1, authenticated: 1, subscriptions: 0 });
  });

  it('refuses a bad token (first message or query) and an unauthenticated subscription with 4401', async () => {
    const { server, url } = await start();
    server.channel({ name: 'orders', snapshot: () => ({ open: [] }) });
    const bad = await connect(url);
    bad.send({ op: 'auth', token: 'not-the-token-at-all' });
    expect(await bad.waitFor((m) => m.op === 'error', 'error')).toMatchObject({
      code: 'ERR_PUSH_AUTH_FAILED',
    });
    expect((await bad.waitClose()).code).toBe(4401);

    const badQuery = await connect(`${url}?token=wrong-token-0123456789`);
    expect(await badQuery.waitFor((m) => m.op === 'error', 'error')).toMatchObject({
      code: 'ERR_PUSH_AUTH_FAILED',
    });
    expect((await badQuery.waitClose()).code).toBe(4401);

    const anon = await connect(url);
    anon.send({ op: 'subscribe', channel: 'orders' });
    const err = await anon.waitFor((m) => m.op === 'error', 'error');
    expect(err.code).toBe('ERR_PUSH_UNAUTHENTICATED');
    expect(String(err['message'])).toMatch(/auth/);
    expect((await anon.waitClose()).code).toBe(4401);
    expect(anon.messages.some((m) => m.op === 'snapshot')).toBe(false);
    expect(server.stats().authFailures).toBe(2);
  });

  it('takes the token from ?token= or the bearer.<token> sub-protocol (browsers), and queues messages sent meanwhile', async () => {
    const { server, url } = await start();
    server.channel({ name: 'risk', snapshot: () => ({ state: 'ACTIVE' }) });
    const viaQuery = await connect(`${url}?token=${TOKEN}`);
    viaQuery.send({ op: 'subscribe', channel: 'risk' }); // sent before the token is checked
    expect(await viaQuery.waitFor(isSnapshot('risk'), 'snapshot')).toMatchObject({
      data: { state: 'ACTIVE' },
    });
    expect(viaQuery.messages.map((m) => m.op)).toEqual(['hello', 'authed', 'snapshot']);

    const viaProtocol = await connect(url, ['qts.v1', `bearer.${TOKEN}`]);
    expect(viaProtocol.ws.protocol).toBe('qts.v1');
    expect(await viaProtocol.waitFor((m) => m.op === 'authed', 'authed')).toMatchObject({ name: 'alice' });
  });

  it('closes a connection that sends no token in time', async () => {
    const { url } = await start({ authTimeoutMs: 150 });
    const c = await connect(url);
    expect(await c.waitFor((m) => m.op === 'error', 'error')).toMatchObject({ code: 'ERR_PUSH_AUTH_FAILED' });
    expect((await c.waitClose()).code).toBe(4401);
  });

  it('answers invalid messages with coded errors and keeps serving the connection', async () => {
    const { server, url } = await start();
    server.channel({ name: 'fills', snapshot: () => ({ recent: [] }) });
    const c = await authed(url);
    const bad: unknown[] = [
      'not json {',
      '42',
      { op: 'dance' },
      { op: 'subscribe' },
      { op: 'subscribe', channel: 7 },
      { op: 'resume', channel: 'fills', lastSeq: -1 },
      { op: 'auth' },
    ];
    for (const m of bad) c.send(m);
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    c.send({ op: 'subscribe', channel: 'nope', id: 'x' });
    await c.until(
      () => (c.messages.filter((m) => m.op === 'error').length === bad.length + 2 ? true : undefined),
      'errors',
    );
    const errors = c.messages.filter((m) => m.op === 'error');
    expect(errors.slice(0, bad.length + 1).every((e) => e.code === 'ERR_PUSH_BAD_MESSAGE')).toBe(true);
    expect(errors.at(-1)).toMatchObject({ code: 'ERR_PUSH_UNKNOWN_CHANNEL', id: 'x' });
    expect(String(errors.at(-1)?.['message'])).toMatch(/fills/);
    c.send({ op: 'subscribe', channel: 'fills' });
    await c.waitFor(isSnapshot('fills'), 'snapshot after errors');
    expect(c.closed).toBeUndefined();
    expect(server.stats().badMessages).toBe(bad.length + 1);
  });

  it('a snapshot that fails is an error, not a crash, and no subscription', async () => {
    const { server, url } = await start();
    server.channel({
      name: 'positions',
      snapshot: () => {
        throw new Error('database is closed');
      },
    });
    const c = await authed(url);
    c.send({ op: 'subscribe', channel: 'positions' });
    const err = await c.waitFor((m) => m.op === 'error', 'error');
    expect(err).toMatchObject({ code: 'ERR_PUSH_SNAPSHOT_FAILED' });
    expect(String(err['message'])).toMatch(/database is closed/);
    expect(server.stats().subscriptions).toBe(0);
  });

  it('resumes after a reconnect: replays exactly the missed events, or sends a snapshot when they are gone', async () => {
    const { server, url } = await start();
    let last = 0;
    const ch: PushChannel = server.channel({ name: 'orders', replayDepth: 10, snapshot: () => ({ last }) });
    const publish = (): void => ch.publish({ n: ++last });
    const a = await authed(url);
    a.send({ op: 'subscribe', channel: 'orders' });
    await a.waitFor(isSnapshot('orders'), 'snapshot');
    for (let i = 0; i < 3; i++) publish();
    await a.until(() => (a.events('orders').length === 3 ? true : undefined), '3 events');
    const lastSeq = a.events('orders').at(-1)?.seq ?? -1;
    a.close();
    for (let i = 0; i < 4; i++) publish(); // missed while away

    const b = await authed(url);
    b.send({ op: 'resume', channel: 'orders', lastSeq, epoch: server.epoch, id: 'r' });
    const resumed = await b.waitFor((m) => m.op === 'resumed', 'resumed');
    expect(resumed).toMatchObject({ seq: 7, replayed: 4, id: 'r' });
    expect(b.events('orders').map((e) => [e.seq, e.data])).toEqual([
      [4, { n: 4 }],
      [5, { n: 5 }],
      [6, { n: 6 }],
      [7, { n: 7 }],
    ]);
    publish();
    await b.until(() => (b.events('orders').length === 5 ? true : undefined), 'live event after replay');
    expect(b.events('orders').at(-1)?.seq).toBe(8);
    expect(b.messages.some((m) => m.op === 'snapshot')).toBe(false);

    // Too far behind (more than replayDepth missed), or another server epoch: a snapshot instead.
    for (let i = 0; i < 12; i++) publish();
    const c = await authed(url);
    c.send({ op: 'resume', channel: 'orders', lastSeq: 8 });
    expect(await c.waitFor(isSnapshot('orders'), 'snapshot')).toMatchObject({ seq: 20, data: { last: 20 } });
    const d = await authed(url);
    d.send({ op: 'resume', channel: 'orders', lastSeq: 19, epoch: 'other' });
    expect(await d.waitFor(isSnapshot('orders'), 'snapshot')).toMatchObject({ seq: 20 });
  });

  it('drops a client that stops reading once its buffer passes the limit, while others keep receiving every event', async () => {
    const limit = 64 * 1024;
    const { server, url } = await start({ maxBufferedBytes: limit });
    const ch = server.channel({ name: 'candles:BTC/USDT:1m', snapshot: () => null });
    const fast = [await authed(url), await authed(url)];
    const slow = await authed(url);
    for (const c of [...fast, slow]) {
      c.send({ op: 'subscribe', channel: 'candles:BTC/USDT:1m' });
      await c.waitFor(isSnapshot('candles:BTC/USDT:1m'), 'snapshot');
    }
    slow.ws.pause(); // stops reading: the kernel buffers fill, then the server's
    const pad = 'x'.repeat(4_000);
    let published = 0;
    let bytes = 0;
    while (server.stats().droppedSlow === 0) {
      if (bytes > 200 * 1024 * 1024) throw new Error('slow client never dropped');
      for (let i = 0; i < 50; i++) {
        ch.publish({ i: published++, pad });
        bytes += pad.length;
      }
      const want = published;
      await Promise.all(
        fast.map((c) =>
          c.until(
            () => (c.events('candles:BTC/USDT:1m').length === want ? true : undefined),
            'fast client caught up',
          ),
        ),
      );
    }
    const stats = server.stats();
    expect(stats.droppedSlow).toBe(1);
    expect(stats.clients).toBe(2);
    // The server never held more than the limit plus one message for any client…
    expect(stats.peakBuffered).toBeLessThanOrEqual(limit + pad.length + 100);
    // …although far more than that was published while the slow client was not reading.
    expect(bytes).toBeGreaterThan(4 * limit);
    for (let i = 0; i < 10; i++) ch.publish({ i: published++, pad });
    for (const c of fast) {
      await c.until(
        () => (c.events('candles:BTC/USDT:1m').length === published ? true : undefined),
        'all events',
      );
      expect(c.events('candles:BTC/USDT:1m').map((e) => e.seq)).toEqual(
        Array.from({ length: published }, (_, i) => i + 1),
      );
    }
  });

  it('heartbeat: terminates a client that stops answering pings, keeps the ones that answer', async () => {
    const { server, url } = await start({ heartbeatMs: 100 });
    const live = await authed(url);
    const dead = await authed(url);
    dead.ws.pause(); // reads nothing, so answers no ping
    await eventually(() => server.stats().droppedHeartbeat === 1, 'heartbeat drop', 5_000);
    expect(server.stats()).toMatchObject({ clients: 1, droppedSlow: 0 });
    // The live client answered several pings meanwhile and still works.
    live.send({ op: 'ping', id: 'still-here' });
    await live.waitFor((m) => m.id === 'still-here', 'pong');
    expect(live.closed).toBeUndefined();
  });

  it('turns away connections beyond maxClients with 1013, and plain HTTP with 426', async () => {
    const { url, server } = await start({ maxClients: 1 });
    await authed(url);
    const extra = await connect(url);
    expect((await extra.waitClose()).code).toBe(1013);
    expect(server.stats().rejectedFull).toBe(1);
    const res = await fetch(url.replace('ws:', 'http:'));
    expect(res.status).toBe(426);
    expect(((await res.json()) as { error: string }).error).toBe('ERR_PUSH_UPGRADE_REQUIRED');
  });

  it('with no token configured (loopback only) every connection reads as a viewer', async () => {
    const { server, url } = await start({ allowAnonymous: true, authenticator: createAuthenticator([]) });
    server.channel({ name: 'logs', snapshot: () => ({ lines: [] }) });
    const c = await connect(url);
    expect(await c.waitFor((m) => m.op === 'hello', 'hello')).toMatchObject({ auth: 'none' });
    expect(await c.waitFor((m) => m.op === 'authed', 'authed')).toMatchObject({
      name: 'anonymous',
      role: 'viewer',
    });
    c.send({ op: 'subscribe', channel: 'logs' });
    await c.waitFor(isSnapshot('logs'), 'snapshot');
  });

  it('says goodbye with 1001 when it stops, and reports a port in use as a coded error', async () => {
    const { server, url } = await start();
    const c = await authed(url);
    await expect(
      PushServer.start({
        host: '127.0.0.1',
        port: server.port,
        authenticator: auth,
        allowAnonymous: false,
        maxBufferedBytes: 1024,
        heartbeatMs: 1000,
        maxClients: 1,
      }),
    ).rejects.toMatchObject({ code: 'ERR_PUSH_LISTEN' });
    await server.close();
    servers.length = 0;
    expect((await c.waitClose()).code).toBe(1001);
  });
});
