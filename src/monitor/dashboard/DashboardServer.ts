import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { TrustedProxies } from '../../api/auth/TrustedProxies.js';
import type { PushTarget } from './proxyUpgrade.js';
import { ProxiedSockets, proxyUpgrade, reachableHost } from './proxyUpgrade.js';
import { DASHBOARD_CSP, WebAssets, isBackendPath, missingAsset } from './WebAssets.js';

export interface DashboardServerOptions {
  readonly host: string;
  /** 0 = any free port (tests). */
  readonly port: number;
  /** The engine's REST API origin, e.g. http://127.0.0.1:3000. */
  readonly apiUrl: string;
  /** The engine's push server, e.g. ws://127.0.0.1:8080. */
  readonly pushUrl: string;
  readonly assets?: WebAssets;
  /**
   * Peers (a front nginx) whose X-Forwarded-For is passed on with the peer appended; any
   * other peer's header is replaced by its address. Absent: no peer is trusted. The entry
   * passes `dashboard.trustedProxies` (loopback by default).
   */
  readonly trustedProxies?: TrustedProxies;
}

/** Hop-by-hop headers a proxy must not forward (RFC 9110 §7.6.1). */
const HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);

function pushTargetOf(url: string): PushTarget {
  const u = new URL(url);
  return { host: reachableHost(u.hostname), port: Number(u.port || (u.protocol === 'wss:' ? 443 : 80)) };
}

/**
 * The web-dashboard process (PM2 `web-dashboard`): the built app on its own port, with
 * /api and /docs forwarded to the engine's REST API and /ws to its push server — so the
 * browser sees one origin and the engine's ports can stay on loopback. It holds no
 * credential and decides nothing: every request is authenticated by the engine, which
 * believes our X-Forwarded-For (api.trustedProxies: loopback by default) and so limits
 * failed logins per browser. That header is why we never pass on one a browser wrote.
 */
export class DashboardServer {
  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly proxied: ProxiedSockets,
  ) {}

  static async start(opts: DashboardServerOptions): Promise<DashboardServer> {
    const assets = opts.assets ?? new WebAssets();
    const api = new URL(opts.apiUrl);
    const push = pushTargetOf(opts.pushUrl);
    const proxies = opts.trustedProxies ?? new TrustedProxies([]);
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (isBackendPath(path)) return forward(req, res, api, proxies);
      serveAsset(req, res, assets, path);
    });
    const proxied = new ProxiedSockets();
    server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) =>
      proxyUpgrade(req, socket, head, push, proxies, proxied),
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => resolve());
    });
    return new DashboardServer(server, (server.address() as AddressInfo).port, proxied);
  }

  close(): Promise<void> {
    this.proxied.closeAll();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function securityHeaders(res: ServerResponse): void {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('x-frame-options', 'SAMEORIGIN');
  res.setHeader('referrer-policy', 'no-referrer');
}

function serveAsset(req: IncomingMessage, res: ServerResponse, assets: WebAssets, path: string): void {
  securityHeaders(res);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'ERR_METHOD_NOT_ALLOWED', message: `${req.method} ${path}` }));
    return;
  }
  const asset = assets.find(path);
  if (asset === undefined) {
    const missing = missingAsset(assets, path);
    res.writeHead(missing.status, { 'content-type': missing.contentType });
    res.end(req.method === 'HEAD' ? undefined : missing.body);
    return;
  }
  res.writeHead(200, {
    'content-type': asset.contentType,
    'cache-control': asset.cacheControl,
    'content-length': asset.body.length,
    'content-security-policy': DASHBOARD_CSP,
  });
  res.end(req.method === 'HEAD' ? undefined : asset.body);
}

function forward(req: IncomingMessage, res: ServerResponse, api: URL, proxies: TrustedProxies): void {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP.has(k)) headers[k] = v;
  headers.host = api.host;
  headers['x-forwarded-for'] = proxies.forwardedFor(req);
  const send = api.protocol === 'https:' ? httpsRequest : httpRequest;
  const upstream = send(
    {
      protocol: api.protocol,
      hostname: reachableHost(api.hostname),
      port: api.port,
      method: req.method,
      path: req.url,
      headers,
    },
    (up) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP.has(k)) out[k] = v;
      res.writeHead(up.statusCode ?? 502, out);
      up.pipe(res);
    },
  );
  upstream.on('error', (e) => {
    if (res.headersSent) return void res.destroy();
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        error: 'ERR_ENGINE_UNREACHABLE',
        message: `the engine at ${api.origin} did not answer (${e.message})`,
      }),
    );
  });
  req.pipe(upstream);
}
