import type { FastifyInstance } from 'fastify';
import type { PushTarget } from './proxyUpgrade.js';
import { ProxiedSockets, proxyUpgrade } from './proxyUpgrade.js';
import type { WebAssets } from './WebAssets.js';
import { DASHBOARD_CSP } from './WebAssets.js';

export interface WebAppOptions {
  readonly assets: WebAssets;
  /** The push server to forward /ws to; undefined while it is not running (503). */
  readonly pushTarget: () => PushTarget | undefined;
}

/**
 * Serves the dashboard from the engine's own HTTP server: GET/HEAD of any path outside
 * /api, /docs and /ws answers with the built app (SPA fallback to index.html), before
 * authentication — the page is public, every datum it shows comes from the authenticated
 * API. Register it after the security headers and rate limit, before the auth hook.
 * WebSocket upgrades at /ws are forwarded to the push server.
 */
export function registerWebApp(app: FastifyInstance, opts: WebAppOptions): void {
  const { assets } = opts;
  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return;
    const path = req.url.split('?')[0] ?? '/';
    const asset = assets.find(path);
    if (asset === undefined) {
      if (path === '/' && !assets.available)
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('The web dashboard is not built: run `npm run build:web` (npm start does it for you).\n');
      return;
    }
    return reply
      .code(200)
      .header('content-type', asset.contentType)
      .header('cache-control', asset.cacheControl)
      .header('content-security-policy', DASHBOARD_CSP)
      .send(asset.body);
  });
  const proxied = new ProxiedSockets();
  app.server.on('upgrade', (req, socket, head) =>
    proxyUpgrade(req, socket, head, opts.pushTarget(), proxied),
  );
  // A browser keeps speculative and keep-alive connections open that Node does not count
  // as idle (seen: a stop waiting ~60 s, until headersTimeout); a stopping engine cuts them.
  app.addHook('preClose', (done) => {
    proxied.closeAll();
    app.server.closeAllConnections();
    done();
  });
}
