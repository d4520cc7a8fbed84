/**
 * Shared setup of the live-trading tests: the fake Binance (test/support/fakeBinance) replaying
 * a synthetic ETH/USDT tape with a funded account behind its signed private API, and a keyed
 * ccxt binance pointed at it. What the exchange holds is read from `fake.account`.
 */
import ccxt from 'ccxt';
import type { Exchange } from 'ccxt';
import type { Logger } from 'pino';
import { liveVariant } from '../../../src/app/liveVariant.js';
import { TradingRuntime } from '../../../src/app/TradingRuntime.js';
import { AppConfigSchema } from '../../../src/config/configSchema.js';
import type { AppConfig } from '../../../src/config/configSchema.js';
import { createTradingExchange } from '../../../src/exchanges/ccxt/createTradingExchange.js';
import type { ExecutionCapabilities } from '../../../src/exchanges/ccxt/executionCapabilities.js';
import { FakeBinance } from '../../support/fakeBinance/FakeBinance.js';
import type { FakeMarket, FakeTrade } from '../../support/fakeBinance/FakeBinance.js';
import type { AuditSink } from '../../../src/monitor/AuditSink.js';

export const SYMBOL = 'ETH/USDT';
export const KEYS = { apiKey: 'test-key-0001', secret: 'test-secret-0001' };
/** The fake counts in units of 1e-8 (Binance's precision), Fixed in 1e-16. */
export const FIXED_PER_UNIT = 100_000_000n;

/** A gently oscillating tape so resting limit orders on both sides get filled. */
export function tape(n: number, start = 1_700_000_000_000, spacingMs = 1000, period = 7): FakeTrade[] {
  return Array.from({ length: n }, (_, i) => ({
    id: 1 + i,
    ts: start + i * spacingMs,
    price: Math.round((2000 + 20 * Math.sin(i / period)) * 100) / 100,
    amount: 1,
    side: i % 2 === 0 ? 'buy' : 'sell',
  }));
}

/** A fake Binance with an ETH/USDT market on `trades` (and `more` markets) and an account our KEYS trade. */
export function startFake(
  trades: readonly FakeTrade[],
  balances: Readonly<Record<string, string>> = { USDT: '100000', ETH: '0' },
  more: readonly FakeMarket[] = [],
): Promise<FakeBinance> {
  return FakeBinance.start({
    markets: [{ symbol: SYMBOL, trades, tickSize: '0.01', lotSize: '0.0001' }, ...more],
    account: { apiKeys: { [KEYS.apiKey]: KEYS.secret }, balances },
  });
}

/** The keyed trading instance on the fake, as liveVariant builds it (pro class, our broker prefix). */
export async function tradingExchange(fake: FakeBinance, timeoutMs = 3000): Promise<Exchange> {
  const { exchange } = createTradingExchange({
    id: 'binance',
    keys: KEYS,
    sandbox: false,
    clientIdPrefix: 'qts',
    timeoutMs,
  });
  await fake.configure(exchange);
  return exchange;
}

/** Client order ids the exchange created more than one order for (must stay empty). */
export function duplicateOrders(fake: FakeBinance): string[] {
  const ids = new Set(fake.account.orders('spot').map((o) => o.clientOrderId));
  return [...ids].filter((id) => fake.account.ordersCreated(id) > 1);
}

/** An asset's total (free + locked) on the exchange, in Fixed units. */
export function exchangeTotal(fake: FakeBinance, asset: string): bigint {
  const b = fake.account.spotLedger.balance(asset);
  return (b.free + b.locked) * FIXED_PER_UNIT;
}

/** The exchange's trade ids of the account, as strings (our fills' tradeId). */
export function exchangeTradeIds(fake: FakeBinance): string[] {
  return fake.account.trades('spot').map((t) => String(t.tradeId));
}

export interface Harness {
  readonly fake: FakeBinance;
  readonly exchange: Exchange;
  readonly capabilities: ExecutionCapabilities;
  close(): Promise<void>;
}

/** Starts the fake with `history` trades already published and a keyed ccxt instance on it. */
export async function startHarness(
  opts: {
    trades?: number;
    history?: number;
    balances?: Record<string, string>;
    timeoutMs?: number;
    /** Markets beside ETH/USDT. */
    markets?: readonly FakeMarket[];
  } = {},
): Promise<Harness> {
  const fake = await startFake(tape(opts.trades ?? 400), opts.balances, opts.markets);
  fake.step(opts.history ?? 5);
  const { exchange, capabilities } = createTradingExchange({
    id: 'binance',
    keys: KEYS,
    sandbox: false,
    clientIdPrefix: 'qts',
    timeoutMs: opts.timeoutMs ?? 3000,
  });
  await fake.configure(exchange);
  await exchange.loadMarkets();
  return {
    fake,
    exchange,
    capabilities,
    close: async () => {
      await exchange.close();
      await fake.close();
    },
  };
}

/** Polls `cond` until it holds, failing after `ms` (never a fixed sleep). */
export async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** What differs between the live tests' engines; everything else is {@link liveTestConfig}'s. */
export interface LiveTestSetup {
  readonly mode?: 'live' | 'shadow';
  readonly dbPath: string;
  readonly account: { currency: string; initialCash: number; commission: number };
  /** One sma-cross instance on 1m bars. */
  readonly sma: { id: string; symbol: string; fast: number; slow: number; sizing: string };
  /** Merged over fast sync (50 ms), maxOrders 50 and the confirmation. */
  readonly live: Record<string, unknown>;
  /** Other top-level sections (e.g. `exchange`). */
  readonly extra?: Record<string, unknown>;
}

/**
 * A live (or shadow, for the twin run) engine configuration for tests: exchange market data,
 * one sma-cross instance, API on a free port, risk loose enough that only the exchange and
 * the gate decide, fast REST sync.
 */
export function liveTestConfig(o: LiveTestSetup): AppConfig {
  return AppConfigSchema.parse({
    mode: o.mode ?? 'live',
    marketData: { source: 'exchange' },
    account: o.account,
    strategies: [
      {
        id: o.sma.id,
        strategy: 'sma-cross',
        symbols: [o.sma.symbol],
        timeframe: '1m',
        params: { fast: o.sma.fast, slow: o.sma.slow },
        sizing: o.sma.sizing,
      },
    ],
    storage: { dbPath: o.dbPath },
    api: { host: '127.0.0.1', port: 0 },
    risk: { staleDataMs: 600_000, priceBandPct: 0.5, maxOrdersPerMinute: 1_000_000 },
    live: { confirmed: true, syncIntervalMs: 50, maxOrders: 50, ...o.live },
    ...o.extra,
  });
}

/**
 * A live TradingRuntime on the fake: its market data through a keyless ccxt.pro binance
 * configured for the fake (`wrapMarket` may patch it, e.g. to hold back candles), its orders
 * through `tradingExchange`. No HTTP, no side services.
 */
export function startLiveRuntime(
  harness: Harness,
  config: AppConfig,
  opts: { log: Logger; signal?: AbortSignal; wrapMarket?: (ex: Exchange) => void; audit?: AuditSink },
): Promise<TradingRuntime> {
  return TradingRuntime.start(
    config,
    {
      log: opts.log,
      noHttp: true,
      noServices: true,
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      ...(opts.audit === undefined ? {} : { audit: opts.audit }),
      exchangeFactory: async () => {
        const ex = new ccxt.pro.binance();
        await harness.fake.configure(ex);
        opts.wrapMarket?.(ex);
        return ex;
      },
    },
    liveVariant(KEYS, () => tradingExchange(harness.fake)),
  );
}

/**
 * For tests of the execution client without a runtime to halt: a report the OMS failed on
 * (not stale news) is thrown where it happened, as a test error.
 */
export function rethrowReportFault(err: unknown): never {
  throw err;
}
