import type { FastifyInstance } from 'fastify';
import type { TrustedProxies } from '../../api/auth/TrustedProxies.js';
import type { PushTarget } from './proxyUpgrade.js';
import { ProxiedSockets, proxyUpgrade } from './proxyUpgrade.js';
import type { WebAssets } from './WebAssets.js';
import { DASHBOARD_CSP, isBackendPath, missingAsset } from './WebAssets.js';

export interface WebAppOptions {
  readonly assets: WebAssets;
  /** The push server to forward /ws to; undefined while it is not running (503). */
  readonly pushTarget: () => PushTarget | undefined;
}

/**
 * Serves the dashboard from the engine's own HTTP server: GET/HEAD of any path outside
 * /api, /docs and /ws answers with the built app (SPA fallback to index.html), before
 * authentication — the page is public, every datum it shows comes from the authenticated
 * API. A path outside those three that is neither a file of the app nor a route of the
 * engine is a 404 (`ERR_NOT_FOUND`), also before authentication: there is nothing behind it
 * to protect, and a browser's /favicon.ico must not read as a refused token. Everything under
 * /api, /docs and /ws, known route or not, is left to authentication as before.
 * Register it after the security headers and rate limit, before the auth hook.
 * WebSocket upgrades at /ws are forwarded to the push server, naming the client by the
 * API's own rule (`proxies`, api.trustedProxies) so both ports see the same address.
 */
export function registerWebApp(app: FastifyInstance, opts: WebAppOptions, proxies: TrustedProxies): void {
  const { assets } = opts;
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    if (isBackendPath(path)) return;
    const read = req.method === 'GET' || req.method === 'HEAD';
    const asset = read ? assets.find(path) : undefined;
    if (asset !== undefined)
      return reply
        .code(200)
        .header('content-type', asset.contentType)
        .header('cache-control', asset.cacheControl)
        .header('content-security-policy', DASHBOARD_CSP)
        .send(asset.body);
    // A route of the engine outside /api (none today) is authenticated like any other.
    if (req.routeOptions.url !== undefined) return;
    if (!read)
      return reply.code(404).send({ error: 'ERR_NOT_FOUND', message: `no route ${req.method} ${path}` });
    const missing = missingAsset(assets, path);
    return reply.code(missing.status).type(missing.contentType).send(missing.body);
  });
  const proxied = new ProxiedSockets();
  app.server.on('upgrade', (req, socket, head) =>
    proxyUpgrade(req, socket, head, opts.pushTarget(), proxies, proxied),
  );
  // A browser keeps speculative and keep-alive connections open that Node does not count
  // as idle (seen: a stop waiting ~60 s, until headersTimeout); a stopping engine cuts them.
  app.addHook('preClose', (done) => {
    proxied.closeAll();
    app.server.closeAllConnections();
    done();
  });
}
