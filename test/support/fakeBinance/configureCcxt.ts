/**
 * Points an unmodified ccxt binance instance (REST or pro) at the fake.
 *
 * - Every URL under `urls.api`, `urls.test`, `urls.demo` (and `urls.apiBackup` once sandbox
 *   mode swapped them) is rewritten: `https://HOST/PATH` → `http://127.0.0.1:PORT/PATH`
 *   (Binance's REST paths are unique across its hosts), `wss://HOST/PATH` →
 *   `ws://127.0.0.1:PORT/LABEL/PATH` where LABEL is the host's first label unless PATH starts
 *   with it (`stream.binance.com:9443/ws` → `/stream/ws`, `ws-api.binance.com/ws-api/v3` →
 *   `/ws-api/v3`): ccxt tells spot streams from futures ones by "/stream" in the URL.
 * - Options keep loadMarkets() on the spot exchangeInfo alone: no futures/options markets
 *   (`fetchMarkets.types = ['spot']`), no sapi margin pairs (`fetchMargins = false`), no
 *   signed sapi currency list (`fetchCurrencies = false`; with keys it would call
 *   /sapi/v1/capital/config/getall).
 * - ccxt's error mapping picks its spot table by URL prefix (https://api.binance.com/); the
 *   lookup is given the original URL back so errors map exactly as against Binance.
 * - As a safety net, fetch() and the WebSocket client refuse any URL outside the fake.
 * - `loadHttpProxyAgent()` is awaited: ccxt needs it for plain ws:// URLs.
 */
import type { Exchange } from 'ccxt';

/** Rewrites `exchange` to talk to the fake at restUrl/wsUrl only. */
export async function configureCcxt(exchange: Exchange, restUrl: string, wsUrl: string): Promise<void> {
  const originals = new Map<string, string>();
  const rewrite = (value: unknown): unknown => {
    if (typeof value === 'string') return rewriteUrl(value, restUrl, wsUrl, originals);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const obj = value as Record<string, unknown>;
      for (const k of Object.keys(obj)) obj[k] = rewrite(obj[k]);
    }
    return value;
  };
  const urls = exchange.urls as Record<string, unknown>;
  for (const key of ['api', 'test', 'demo', 'apiBackup']) if (key in urls) urls[key] = rewrite(urls[key]);

  const options = exchange.options;
  options['fetchCurrencies'] = false;
  options['fetchMargins'] = false;
  const fetchMarkets = options['fetchMarkets'] as Record<string, unknown> | undefined;
  options['fetchMarkets'] = { ...fetchMarkets, types: ['spot'], loadAllOptions: false };

  const patched = exchange as unknown as {
    fetch: (url: unknown, ...rest: unknown[]) => Promise<unknown>;
    client: (url: unknown) => unknown;
    getExceptionsByUrl?: (url: string, exactOrBroad: string) => unknown;
  };
  const fetch = patched.fetch.bind(exchange);
  patched.fetch = (url, ...rest) => {
    if (typeof url !== 'string' || !url.startsWith(`${restUrl}/`)) {
      return Promise.reject(new Error(`FakeBinance: ccxt tried to reach ${String(url)} outside the fake`));
    }
    return fetch(url, ...rest);
  };
  const client = patched.client.bind(exchange);
  patched.client = (url) => {
    // ccxt keys some bookkeeping on clients it never dials (binance: 'authenticationFlights').
    if (typeof url === 'string' && !url.includes('://')) return client(url);
    if (typeof url !== 'string' || !url.startsWith(`${wsUrl}/`)) {
      throw new Error(`FakeBinance: ccxt tried to open ${String(url)} outside the fake`);
    }
    return client(url);
  };
  const exceptionsByUrl = patched.getExceptionsByUrl?.bind(exchange);
  if (exceptionsByUrl !== undefined) {
    patched.getExceptionsByUrl = (url, exactOrBroad) =>
      exceptionsByUrl(originalUrl(url, originals), exactOrBroad);
  }
  await exchange.loadHttpProxyAgent();
}

function rewriteUrl(value: string, restUrl: string, wsUrl: string, originals: Map<string, string>): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return value;
  }
  const path = u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '');
  if (u.protocol === 'https:' || u.protocol === 'http:') {
    if (value.startsWith(restUrl)) return value;
    const local = restUrl + path;
    originals.set(local, value.replace(/\/$/, ''));
    return local;
  }
  if (u.protocol === 'wss:' || u.protocol === 'ws:') {
    if (value.startsWith(wsUrl)) return value;
    const label = u.hostname.split('.')[0] ?? '';
    return wsUrl + (path.startsWith(`/${label}`) ? path : `/${label}${path}`);
  }
  return value;
}

/** The Binance URL a local one stands for (longest matching base wins). */
function originalUrl(url: string, originals: ReadonlyMap<string, string>): string {
  let best = '';
  for (const local of originals.keys()) {
    if (
      local.length > best.length &&
      (url === local || url.startsWith(`${local}/`) || url.startsWith(`${local}?`))
    )
      best = local;
  }
  return best === '' ? url : (originals.get(best) as string) + url.slice(best.length);
}
