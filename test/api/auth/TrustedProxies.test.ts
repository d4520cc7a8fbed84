import type { IncomingMessage } from 'node:http';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { TrustedProxies } from '../../../src/api/auth/TrustedProxies.js';
import { isQtsError } from '../../../src/core/QtsError.js';

/** Just what the rule reads of a request: the socket's peer and X-Forwarded-For. */
function req(peer: string, xff?: string): IncomingMessage {
  return {
    socket: { remoteAddress: peer },
    headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
  } as unknown as IncomingMessage;
}

const LIST = ['127.0.0.1', '::1', '10.0.0.0/8', 'fd00::/8'];

/** [peer, X-Forwarded-For, the client] */
const CASES: [string, string | undefined, string][] = [
  ['192.0.2.1', undefined, '192.0.2.1'],
  // An untrusted peer's header is ignored.
  ['192.0.2.1', '198.51.100.7', '192.0.2.1'],
  ['::ffff:192.0.2.1', '10.0.0.1', '::ffff:192.0.2.1'],
  // A trusted peer names its client…
  ['127.0.0.1', '198.51.100.7', '198.51.100.7'],
  ['::ffff:127.0.0.1', '198.51.100.7', '198.51.100.7'],
  ['::1', '2001:db8::5', '2001:db8::5'],
  // …through a chain of trusted proxies, up to the first untrusted hop, never further left.
  ['127.0.0.1', '6.6.6.6, 198.51.100.7, 10.1.2.3', '198.51.100.7'],
  ['127.0.0.1', '6.6.6.6,198.51.100.7 , fd12::1', '198.51.100.7'],
  // All trusted: the leftmost.
  ['127.0.0.1', '10.0.0.9, 10.0.0.8', '10.0.0.9'],
  // A trusted peer without a header is the client itself.
  ['127.0.0.1', undefined, '127.0.0.1'],
  ['127.0.0.1', ' , ', '127.0.0.1'],
  // Only listed loopback addresses are trusted.
  ['127.0.0.2', '198.51.100.7', '127.0.0.2'],
];

describe('TrustedProxies: the client of a request', () => {
  const proxies = new TrustedProxies(LIST);

  it.each(CASES)('peer %s, X-Forwarded-For %j → %s', (peer, xff, client) => {
    expect(proxies.clientOf(req(peer, xff))).toBe(client);
  });

  it("agrees with fastify's req.ip given the same trust (the REST API's rule)", async () => {
    const app = Fastify({ trustProxy: (a: string) => proxies.trusts(a) });
    app.get('/', (r) => ({ ip: r.ip }));
    for (const [peer, xff, client] of CASES) {
      const res = await app.inject({
        url: '/',
        remoteAddress: peer,
        headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
      });
      expect(res.json(), `${peer} ${xff}`).toEqual({ ip: client });
    }
    await app.close();
  });

  it('trusts nobody with an empty list', () => {
    const none = new TrustedProxies([]);
    expect(none.trusts('127.0.0.1')).toBe(false);
    expect(none.clientOf(req('127.0.0.1', '198.51.100.7'))).toBe('127.0.0.1');
  });
});

describe('TrustedProxies: what a proxy sends on', () => {
  const proxies = new TrustedProxies(['10.0.0.0/8']);

  it('appends a trusted peer to the chain it got', () => {
    expect(proxies.forwardedFor(req('10.1.1.1', '198.51.100.7'))).toBe('198.51.100.7, 10.1.1.1');
    expect(proxies.forwardedFor(req('10.1.1.1', '1.1.1.1, 10.2.2.2'))).toBe('1.1.1.1, 10.2.2.2, 10.1.1.1');
  });

  it("replaces an untrusted peer's header by the peer's address", () => {
    expect(proxies.forwardedFor(req('192.0.2.1', '10.1.1.1'))).toBe('192.0.2.1');
    expect(proxies.forwardedFor(req('10.1.1.1'))).toBe('10.1.1.1');
  });
});

describe('TrustedProxies: entries', () => {
  it('takes addresses and CIDR ranges of both families', () => {
    for (const ok of ['127.0.0.1', '10.0.0.0/8', '0.0.0.0/0', '::1', 'fd00::/8', '::/0', ' 10.1.2.3 '])
      expect(TrustedProxies.entryError(ok), ok).toBeUndefined();
  });

  it('refuses host names, bad prefixes and garbage, naming the entry', () => {
    for (const bad of ['localhost', 'nginx', '10.0.0.0/33', 'fd00::/129', '10.0.0/8', '10.0.0.1/', '', '*'])
      expect(TrustedProxies.entryError(bad), bad).toContain(JSON.stringify(bad));
    try {
      new TrustedProxies(['10.0.0.0/8', 'nginx']);
      expect.unreachable();
    } catch (e) {
      expect(isQtsError(e) && e.code).toBe('ERR_CONFIG_TRUSTED_PROXY');
    }
  });
});
