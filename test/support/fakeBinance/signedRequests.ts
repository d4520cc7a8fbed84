/**
 * Binance's check of SIGNED requests (REST and WebSocket API), done the way Binance does it so
 * a client that passes here signs correctly against the real exchange:
 * - REST: the X-MBX-APIKEY header names the key; `signature` is the hex HMAC-SHA256, keyed by
 *   the secret, of the query string followed directly by the request body (each without the
 *   signature parameter), exactly as sent, not re-encoded.
 * - WebSocket API: `apiKey` is a parameter; the signed payload is every other parameter sorted
 *   by name, `k=v` joined by `&`.
 * - `timestamp` must lie in [serverTime - recvWindow, serverTime + 1000); recvWindow defaults to
 *   5000 and may not exceed 60000.
 * https://developers.binance.com/docs/binance-spot-api-docs/rest-api/request-security
 * https://developers.binance.com/docs/binance-spot-api-docs/websocket-api/request-security
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { BinanceError } from './RestApi.js';
import type { RestRequest } from './RestApi.js';

/** API key → secret of every account key the fake accepts. */
export type ApiKeys = ReadonlyMap<string, string>;

/** Binance refuses a timestamp this far ahead of its clock. */
const MAX_AHEAD_MS = 1000;
const DEFAULT_RECV_WINDOW = 5000;
const MAX_RECV_WINDOW = 60000;

const badKey = (): BinanceError =>
  new BinanceError(401, -2015, 'Invalid API-key, IP, or permissions for action.');

/** The API key of a request that only needs one (listenKey endpoints): -2014/-2015 otherwise. */
export function requireApiKey(req: RestRequest, keys: ApiKeys): string {
  const key = header(req, 'x-mbx-apikey');
  if (key === undefined || key === '') throw new BinanceError(401, -2014, 'API-key format invalid.');
  if (!keys.has(key)) throw badKey();
  return key;
}

/** Verifies a SIGNED REST request; returns its API key or throws Binance's error. */
export function verifySignedRest(req: RestRequest, keys: ApiKeys, now: number): string {
  const key = requireApiKey(req, keys);
  const secret = keys.get(key) as string;
  const signature = req.params.get('signature');
  if (signature === null || signature === '') throw mandatory('signature');
  const payload = withoutSignature(req.query) + withoutSignature(req.body);
  if (!sameHex(hmac(secret, payload), signature))
    throw new BinanceError(400, -1022, 'Signature for this request is not valid.');
  checkTimestamp(req.params.get('timestamp'), req.params.get('recvWindow'), now);
  return key;
}

/** Verifies the params of a SIGNED WebSocket API request; returns its API key. */
export function verifySignedWsParams(
  params: Readonly<Record<string, unknown>>,
  keys: ApiKeys,
  now: number,
): string {
  const key = params['apiKey'];
  if (typeof key !== 'string' || !keys.has(key)) throw badKey();
  const signature = params['signature'];
  if (typeof signature !== 'string' || signature === '') throw mandatory('signature');
  const payload = Object.keys(params)
    .filter((k) => k !== 'signature')
    .sort()
    .map((k) => `${k}=${String(params[k])}`)
    .join('&');
  if (!sameHex(hmac(keys.get(key) as string, payload), signature))
    throw new BinanceError(400, -1022, 'Signature for this request is not valid.');
  checkTimestamp(scalar(params['timestamp']), scalar(params['recvWindow']), now);
  return key;
}

/** Hex HMAC-SHA256 of `payload` (what a client puts in `signature`). */
export function hmac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

function checkTimestamp(timestamp: string | null, recvWindow: string | null, now: number): void {
  if (timestamp === null || !/^\d+$/.test(timestamp)) throw mandatory('timestamp');
  let window = DEFAULT_RECV_WINDOW;
  if (recvWindow !== null) {
    window = Number(recvWindow);
    if (!Number.isFinite(window) || window <= 0 || window > MAX_RECV_WINDOW)
      throw new BinanceError(400, -1131, 'recvWindow must be less than 60000');
  }
  const ts = Number(timestamp);
  if (ts >= now + MAX_AHEAD_MS)
    throw new BinanceError(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.");
  if (now - ts > window)
    throw new BinanceError(400, -1021, 'Timestamp for this request is outside of the recvWindow.');
}

/** A WebSocket API parameter as text (numbers and strings only), else null. */
function scalar(v: unknown): string | null {
  return typeof v === 'number' || typeof v === 'string' ? String(v) : null;
}

function mandatory(name: string): BinanceError {
  return new BinanceError(
    400,
    -1102,
    `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`,
  );
}

/** `raw` (a query string or form body) with its signature parameter removed, else untouched. */
function withoutSignature(raw: string): string {
  if (!raw.includes('signature=')) return raw;
  return raw
    .split('&')
    .filter((part) => !part.startsWith('signature='))
    .join('&');
}

function sameHex(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function header(req: RestRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
