/**
 * A live engine as its own process, for the crash sweep: started by the test with the fake
 * exchange's URLs and a database path in the environment, killed with SIGKILL (from outside,
 * or by itself at a QTS_CRASH_AT point) and started again on the same database. Private
 * streams are on: fills arrive by the user-data stream as well as REST. Prints READY once
 * reconciled and trading, STOPPED after a graceful stop on SIGTERM.
 */
import ccxt from 'ccxt';
import pino from 'pino';
import { liveVariant } from '../../../src/app/liveVariant.js';
import { TradingRuntime } from '../../../src/app/TradingRuntime.js';
import { AppConfigSchema } from '../../../src/config/configSchema.js';
import { createTradingExchange } from '../../../src/exchanges/ccxt/createTradingExchange.js';
import { configureCcxt } from '../../support/fakeBinance/configureCcxt.js';

const env = process.env;
const rest = env['QTS_FAKE_REST'] ?? '';
const ws = env['QTS_FAKE_WS'] ?? '';
const keys = { apiKey: 'test-key-0001', secret: 'test-secret-0001' };

const config = AppConfigSchema.parse({
  mode: 'live',
  marketData: { source: 'exchange' },
  account: { currency: 'USDT', initialCash: 100_000, commission: 0.001 },
  strategies: [
    {
      id: 'sma',
      strategy: 'sma-cross',
      symbols: ['ETH/USDT'],
      timeframe: '1m',
      params: { fast: 2, slow: 3 },
      sizing: 'fixed:0.1',
    },
  ],
  storage: { dbPath: env['QTS_DB'] },
  api: { host: '127.0.0.1', port: 0 },
  risk: { staleDataMs: 600_000, priceBandPct: 0.5, maxOrdersPerMinute: 1_000_000 },
  live: {
    confirmed: true,
    syncIntervalMs: 50,
    reconcileIntervalMs: Number(env['QTS_RECONCILE_MS'] ?? 300),
    resolveWithinMs: 1_500,
    requestTimeoutMs: 3_000,
    streams: true,
    maxOrders: 50,
  },
});

const rt = await TradingRuntime.start(
  config,
  {
    log: pino({ level: env['QTS_CHILD_LOG'] ?? 'silent' }),
    noHttp: true,
    noServices: true,
    exchangeFactory: async () => {
      const ex = new ccxt.pro.binance();
      await configureCcxt(ex, rest, ws);
      return ex;
    },
  },
  liveVariant(keys, async () => {
    const { exchange } = createTradingExchange({
      id: 'binance',
      keys,
      sandbox: false,
      clientIdPrefix: 'qts',
      timeoutMs: 3_000,
    });
    await configureCcxt(exchange, rest, ws);
    return exchange;
  }),
);
process.stdout.write('READY\n');
process.once('SIGTERM', () => {
  void rt.stop().then(() => {
    process.stdout.write('STOPPED\n');
    process.exit(0);
  });
});
