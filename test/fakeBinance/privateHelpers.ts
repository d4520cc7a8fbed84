/**
 * Shared pieces of the private-API tests: a synthetic tape whose numbers are easy to follow,
 * a fake with an account, ccxt clients with keys, a raw signed request (for what ccxt would
 * refuse to send), and exact decimal arithmetic through the project's Fixed type (independent
 * of the fake's own bigint units).
 */
import { createHmac } from 'node:crypto';
import ccxt from 'ccxt';
import type { Exchange } from 'ccxt';
import { floorToStep, formatFixed, fromNumber, mul, parseFixed } from '../../src/core/Fixed.js';
import type { Fixed } from '../../src/core/Fixed.js';
import { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import { RawWs } from './helpers.js';
import type { FakeAccountOptions, FakeMarket, FakeTrade } from '../support/fakeBinance/FakeBinance.js';

export const API_KEY = 'test-api-key-0001';
export const API_SECRET = 'test-secret-0001';

/**
 * `n` trades from `start`: prices walk a fixed zig-zag around `base` in steps of `tick`
 * (deterministic, so a test can find the trade that crosses a price), amounts cycle 0.25..1.
 */
export function zigZagTape(n: number, base: number, tick: number, start = 1_700_000_000_000): FakeTrade[] {
  return Array.from({ length: n }, (_, i) => {
    const offset = ((i * 7) % 21) - 10;
    return {
      id: 1000 + i,
      ts: start + i * 1000,
      price: Number((base + offset * tick).toFixed(8)),
      amount: 0.25 * (1 + (i % 4)),
      side: i % 2 === 0 ? 'buy' : 'sell',
    };
  });
}

/** ETH/USDT spot, replay started at trade 50 of 400. */
export function ethUsdt(extra: Partial<FakeMarket> = {}): FakeMarket {
  const trades = zigZagTape(400, 2000, 0.5);
  return {
    symbol: 'ETH/USDT',
    trades,
    tickSize: '0.01',
    lotSize: '0.0001',
    minNotional: '5',
    startTime: trades[50]?.ts,
    ...extra,
  };
}

/** XRP/USDT traded on spot and as a USDT-M perpetual, replay started at trade 50 of 400. */
export function xrpUsdt(): FakeMarket {
  const trades = zigZagTape(400, 1.2, 0.0001).map((t) => ({ ...t, amount: t.amount * 400 }));
  return {
    symbol: 'XRP/USDT',
    trades,
    tickSize: '0.0001',
    lotSize: '0.1',
    futures: true,
    startTime: trades[50]?.ts,
  };
}

/** A fake with one key and the given account. */
export function startFake(markets: FakeMarket[], account: FakeAccountOptions = {}): Promise<FakeBinance> {
  return FakeBinance.start({ markets, account: { apiKeys: { [API_KEY]: API_SECRET }, ...account } });
}

/** A ccxt spot client (REST, or pro when `pro`) with keys, markets loaded from the fake. */
export async function spotClient(fake: FakeBinance, pro = false): Promise<Exchange> {
  const ex = pro
    ? new ccxt.pro.binance({ apiKey: API_KEY, secret: API_SECRET })
    : new ccxt.binance({ apiKey: API_KEY, secret: API_SECRET });
  await fake.configure(ex);
  await ex.loadMarkets();
  return ex;
}

/** A ccxt USDT-M client (binanceusdm, REST or pro) with keys, perpetuals loaded from the fake. */
export async function futuresClient(fake: FakeBinance, pro = false): Promise<Exchange> {
  const ex = pro
    ? new ccxt.pro.binanceusdm({ apiKey: API_KEY, secret: API_SECRET })
    : new ccxt.binanceusdm({ apiKey: API_KEY, secret: API_SECRET });
  await fake.configureFutures(ex);
  await ex.loadMarkets();
  return ex;
}

/** The usual spot test account: ETH/USDT with 100 000 USDT and 5 ETH, and a REST client on it. */
export async function ethSpotSession(): Promise<{ fake: FakeBinance; ex: Exchange }> {
  const fake = await startFake([ethUsdt()], { balances: { USDT: '100000', ETH: '5' } });
  return { fake, ex: await spotClient(fake) };
}

/** Closes clients first, then the fake (either may be missing when a setup step failed). */
export async function closeAll(
  fake: FakeBinance | undefined,
  ...clients: (Exchange | undefined)[]
): Promise<void> {
  for (const c of clients) await c?.close();
  await fake?.close();
}

/**
 * A raw WebSocket API connection that asked for the spot user-data stream; `ack` is the
 * fake's answer to the subscription, for the caller to check.
 */
export async function spotUserDataSocket(fake: FakeBinance): Promise<{ ws: RawWs; ack: unknown }> {
  const ws = await RawWs.open(`${fake.wsUrl}/ws-api/v3`);
  const timestamp = Date.now();
  const signature = createHmac('sha256', API_SECRET)
    .update(`apiKey=${API_KEY}&timestamp=${timestamp}`)
    .digest('hex');
  ws.send({
    id: 's',
    method: 'userDataStream.subscribe.signature',
    params: { apiKey: API_KEY, timestamp, signature },
  });
  return { ws, ack: await ws.next() };
}

/** A hand-signed REST call, the way Binance documents it; returns status and parsed body. */
export async function signedFetch(
  fake: FakeBinance,
  method: string,
  path: string,
  params: Record<string, string>,
  opts: { key?: string; secret?: string; timestamp?: number; inBody?: boolean } = {},
): Promise<{ status: number; body: unknown }> {
  const query = new URLSearchParams({
    ...params,
    timestamp: String(opts.timestamp ?? Date.now()),
  }).toString();
  const signature = createHmac('sha256', opts.secret ?? API_SECRET)
    .update(query)
    .digest('hex');
  const signed = `${query}&signature=${signature}`;
  const inBody = opts.inBody ?? method === 'POST';
  const res = await fetch(`${fake.restUrl}${path}${inBody ? '' : `?${signed}`}`, {
    method,
    headers: {
      'X-MBX-APIKEY': opts.key ?? API_KEY,
      ...(inBody ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
    },
    ...(inBody ? { body: signed } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** The raw exchange payload ccxt keeps in `info`. */
export function info(x: { info?: unknown }): Record<string, unknown> {
  return (x.info ?? {}) as Record<string, unknown>;
}

/** A raw payload field that must be a decimal string. */
export function infoDecimal(x: { info?: unknown }, field: string): string {
  const v = info(x)[field];
  if (typeof v !== 'string') throw new Error(`info.${field} is not a string: ${JSON.stringify(v)}`);
  return v;
}

/** Exact decimal from a string or the number ccxt returns. */
export function fx(x: string | number | undefined): Fixed {
  if (x === undefined) throw new Error('fx: undefined');
  return typeof x === 'number' ? fromNumber(x) : parseFixed(x);
}

/** qty × price as Binance books it: exact, then cut to 8 decimals. */
export function notional(qty: Fixed, price: Fixed): Fixed {
  return floorToStep(mul(qty, price), parseFixed('0.00000001'));
}

/** Fixed → plain decimal string for comparisons with the fake's strings. */
export function str(x: Fixed): string {
  return formatFixed(x);
}
