/**
 * Points an unmodified ccxt exchange at a capture server: every REST URL under `urls.api`
 * becomes `http://127.0.0.1:PORT/<original path>` (host placeholders such as `{hostname}`
 * included), fetch() refuses anything else, and the markets come from a recorded fixture via
 * ccxt's own setMarkets() instead of the network.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Exchange, Market } from 'ccxt';
import type { Responder } from './CaptureServer.js';

/** One recorded answer of the exchange, matched by method and exact path. */
export interface RecordedResponse {
  readonly method: string;
  readonly path: string;
  readonly status?: number;
  readonly body: unknown;
}

/** A recorded fixture: the markets ccxt needs and the exchange's answers. */
export interface ExchangeFixture {
  /** Where the response shapes come from (the exchange's API docs). */
  readonly source: string;
  readonly markets: Record<string, Market>;
  readonly responses: readonly RecordedResponse[];
}

/** Answers a captured request from the fixture (404 when nothing matches). */
export function fixtureResponder(fixture: ExchangeFixture): Responder {
  return (req) => {
    const r = fixture.responses.find((x) => x.method === req.method && x.path === req.path);
    return r === undefined ? undefined : { status: r.status ?? 200, body: r.body };
  };
}

/** test/fixtures/exchanges/<name>.json */
export function loadFixture(name: string): ExchangeFixture {
  const file = resolve(import.meta.dirname, '../../fixtures/exchanges', `${name}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as ExchangeFixture;
}

/** Rewrites the exchange's REST URLs to `baseUrl` and loads the fixture's markets. */
export function pointCcxtAt(exchange: Exchange, baseUrl: string, fixture: ExchangeFixture): void {
  const rewrite = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const m = /^https?:\/\/[^/]+(\/.*)?$/.exec(value);
      return m === null ? value : baseUrl + (m[1] ?? '');
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const obj = value as Record<string, unknown>;
      for (const k of Object.keys(obj)) obj[k] = rewrite(obj[k]);
    }
    return value;
  };
  const urls = exchange.urls as Record<string, unknown>;
  urls['api'] = rewrite(urls['api']);
  const patched = exchange as unknown as { fetch: (url: unknown, ...rest: unknown[]) => Promise<unknown> };
  const fetch = patched.fetch.bind(exchange);
  patched.fetch = (url, ...rest) => {
    if (typeof url !== 'string' || !url.startsWith(`${baseUrl}/`))
      return Promise.reject(new Error(`capture: ccxt tried to reach ${String(url)}`));
    return fetch(url, ...rest);
  };
  exchange.setMarkets(fixture.markets);
}
