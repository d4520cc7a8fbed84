/**
 * Shared setup of the live USDT-M tests: a FakeBinance replaying an XRP/USDT tape that it
 * also serves as the perpetual XRP/USDT:USDT (its private /fapi API: orders, positions,
 * leverage, margin type), a keyed ccxt binanceusdm that trades on it and an unkeyed one for
 * market data, and the engine configuration of a live perpetual session.
 */
import ccxt from 'ccxt';
import type { Exchange } from 'ccxt';
import pino from 'pino';
import type { LiveVenue } from '../../../../src/app/LiveVenue.js';
import { liveVariant } from '../../../../src/app/liveVariant.js';
import { TradingRuntime } from '../../../../src/app/TradingRuntime.js';
import type { RuntimeDeps } from '../../../../src/app/RuntimeDeps.js';
import type { AppConfig } from '../../../../src/config/configSchema.js';
import { createTradingExchange } from '../../../../src/exchanges/ccxt/createTradingExchange.js';
import { tradesTopic } from '../../../../src/kernel/topics.js';
import type { AuditSink } from '../../../../src/monitor/AuditSink.js';
import { FakeBinance } from '../../../support/fakeBinance/FakeBinance.js';
import { liveTestConfig } from '../../support/liveHarness.js';
import type { FakeTrade } from '../../../support/fakeBinance/FakeBinance.js';

export const PERP = 'XRP/USDT:USDT';
export const PERP_ID = 'XRPUSDT';
export const KEYS = { apiKey: 'futures-key-0001', secret: 'futures-secret-0001' };
export const WALLET = '1000';

/**
 * `minutes` of trades, `perMinute` a minute: a slow sine around 1.2 USDT (ticks of 0.0001)
 * whose swings make a 3/8 SMA cross every few bars, so the strategy trades in both directions.
 */
export function perpTape(minutes: number, perMinute = 4, start = 1_700_000_040_000): FakeTrade[] {
  const out: FakeTrade[] = [];
  for (let m = 0; m < minutes; m++)
    for (let k = 0; k < perMinute; k++) {
      const i = m * perMinute + k;
      out.push({
        id: 1 + i,
        ts: start + m * 60_000 + k * Math.floor(60_000 / perMinute),
        price: Math.round((1.2 + 0.03 * Math.sin(i / (perMinute * 4))) * 10_000) / 10_000,
        amount: 500,
        side: i % 2 === 0 ? 'buy' : 'sell',
      });
    }
  return out;
}

/** Starts the fake with the tape, the futures wallet and our key. */
export function startFuturesFake(trades: readonly FakeTrade[]): Promise<FakeBinance> {
  return FakeBinance.start({
    markets: [{ symbol: 'XRP/USDT', trades, tickSize: '0.0001', lotSize: '0.1', futures: true }],
    account: { apiKeys: { [KEYS.apiKey]: KEYS.secret }, futuresWallet: WALLET },
  });
}

/** The keyed trading instance, as live mode builds it, pointed at the fake. */
export async function tradingExchange(fake: FakeBinance): Promise<Exchange> {
  const { exchange } = createTradingExchange({
    id: 'binanceusdm',
    keys: KEYS,
    sandbox: false,
    clientIdPrefix: 'qts',
    timeoutMs: 3_000,
  });
  await fake.configureFutures(exchange);
  return exchange;
}

/**
 * The market data instance: binanceusdm's public streams (Binance's split futures endpoints
 * /public/ws and /market/ws) go to the fake's raw stream endpoint, which publishes the same
 * tape: the fake serves the perpetual from the spot replay.
 */
export async function marketDataExchange(fake: FakeBinance): Promise<Exchange> {
  const ex = new ccxt.pro.binanceusdm();
  await fake.configureFutures(ex);
  const patched = ex as unknown as { client: (url: unknown) => unknown };
  const client = patched.client.bind(ex);
  patched.client = (url) =>
    client(typeof url === 'string' ? url.replace(/\/fstream\/(public|market)\/ws\//, '/ws/') : url);
  return ex;
}

/** A live engine configuration trading the perpetual with sma-cross (3/8, 100 XRP). */
export function futuresConfig(dbPath: string, over: Record<string, unknown> = {}): AppConfig {
  return liveTestConfig({
    dbPath,
    account: { currency: 'USDT', initialCash: Number(WALLET), commission: 0.0005 },
    sma: { id: 'sma-perp', symbol: PERP, fast: 3, slow: 8, sizing: 'fixed:100' },
    live: {
      reconcileIntervalMs: 60_000,
      resolveWithinMs: 3_000,
      streams: false,
      perpetuals: { [PERP]: { leverage: 5, marginMode: 'isolated' } },
    },
    extra: { exchange: { id: 'binanceusdm' }, ...over },
  });
}

/** Starts a live engine on the fake (no HTTP, no side services). */
export function startLive(fake: FakeBinance, config: AppConfig, audit?: AuditSink): Promise<TradingRuntime> {
  const deps: RuntimeDeps = {
    log: pino({ level: process.env['QTS_TEST_LOG'] ?? 'silent' }),
    noHttp: true,
    noServices: true,
    ...(audit ? { audit } : {}),
    exchangeFactory: () => marketDataExchange(fake),
  };
  return TradingRuntime.start(
    config,
    deps,
    liveVariant(KEYS, () => tradingExchange(fake)),
  );
}

/** An audit sink that keeps what it is told. */
export function memoryAudit(): AuditSink & { records: { kind: string; data: Record<string, unknown> }[] } {
  const records: { kind: string; data: Record<string, unknown> }[] = [];
  return {
    records,
    record: (kind, data) => records.push({ kind, data: { ...data } }),
    query: () => Promise.resolve([]),
  };
}

/**
 * Replays the tape minute by minute: after the first trade of each minute (which closes the
 * previous bar) it waits until the engine saw it and every order it caused left SUBMITTED.
 */
export async function replay(
  fake: FakeBinance,
  rt: TradingRuntime,
  trades: readonly FakeTrade[],
): Promise<void> {
  let seen = -1;
  rt.node.bus.subscribe(tradesTopic(PERP), (t) => (seen = Number(t.id)));
  await fake.waitForSubscription('xrpusdt@trade', 10_000);
  let i = fake.cursor('XRP/USDT');
  while (i < trades.length) {
    const minute = Math.floor((trades[i]?.ts ?? 0) / 60_000);
    let j = i + 1;
    while (j < trades.length && Math.floor((trades[j]?.ts ?? 0) / 60_000) === minute) j++;
    const n = Math.min(j + 1, trades.length) - i;
    fake.step(n);
    const want = trades[i + n - 1]?.id ?? -1;
    await until(() => seen === want, `trade ${want}`, 10_000);
    await settled(rt);
    i += n;
  }
}

/**
 * Waits until no order of the engine waits for the exchange's acknowledgement and every
 * submit has finished (its fills fetched and booked): the next bar then meets settled books,
 * as a strategy on a slower market would.
 */
export function settled(rt: TradingRuntime): Promise<void> {
  const client = (rt.venue as LiveVenue).client;
  return until(
    () => client.inFlight() === 0 && rt.node.oms.openOrders().every((o) => o.status !== 'SUBMITTED'),
    'orders acknowledged and booked',
    10_000,
  );
}

/** Polls `cond` until it holds, failing after `ms` (never a fixed sleep). */
export async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
