import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TrustedProxies } from '../../api/auth/TrustedProxies.js';

/** Where WebSocket upgrades at /ws are forwarded: the engine's push server. */
export interface PushTarget {
  readonly host: string;
  readonly port: number;
}

/** Answers and closes at once: a refused upgrade must not wait for the client to hang up. */
function refuse(socket: Duplex, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
}

/**
 * The upgraded sockets of one server, cut at shutdown: an upgraded socket is no longer an
 * HTTP connection the server can close as idle, yet its close() waits for it.
 */
export class ProxiedSockets {
  private readonly open = new Set<Duplex>();
  private closing = false;

  /** Follows a socket until it closes; after closeAll() a new one is cut at once. */
  track(socket: Duplex): boolean {
    if (this.closing) {
      socket.destroy();
      return false;
    }
    this.open.add(socket);
    socket.on('close', () => this.open.delete(socket));
    return true;
  }

  closeAll(): void {
    this.closing = true;
    for (const socket of this.open) socket.destroy();
    this.open.clear();
  }
}

/**
 * Forwards a WebSocket upgrade at `/ws` to the push server byte for byte: the browser
 * talks to the push protocol (docs/websocket.md) through the page's own origin, so one
 * port (and one CSP `connect-src 'self'`) serves the whole dashboard. The push server still
 * authenticates every client itself; this only moves bytes — and says who the client is in
 * X-Forwarded-For (the chain of our own proxies, else the peer: `proxies.forwardedFor`), so
 * the push server limits failed logins per browser, not once for everyone behind us. A
 * header the client wrote itself is never passed on. Other upgrade paths get 404.
 */
export function proxyUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  target: PushTarget | undefined,
  proxies: TrustedProxies,
  sockets?: ProxiedSockets,
): void {
  if (sockets !== undefined && !sockets.track(socket)) return;
  const path = (req.url ?? '/').split('?')[0];
  if (path !== '/ws' && path !== '/ws/') return refuse(socket, '404 Not Found');
  if (target === undefined) return refuse(socket, '503 Service Unavailable');
  const upstream = connect(target.port, target.host);
  const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
    if (req.rawHeaders[i]?.toLowerCase() !== 'x-forwarded-for')
      lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  lines.push(`X-Forwarded-For: ${proxies.forwardedFor(req)}`);
  let connected = false;
  upstream.on('connect', () => {
    connected = true;
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  const end = (): void => {
    upstream.destroy();
    socket.destroy();
  };
  upstream.on('error', () => {
    if (!connected && socket.writable) refuse(socket, '502 Bad Gateway');
    else end();
  });
  socket.on('error', end);
  socket.on('close', () => upstream.destroy());
  upstream.on('close', () => {
    if (connected) socket.destroy();
  });
}

/** The address to reach a server bound to `host` from this machine (a wildcard bind answers on loopback). */
export function reachableHost(host: string): string {
  return host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
}
