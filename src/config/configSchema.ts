import { z } from 'zod';

/** Where live market data comes from. `auto` tries the exchange and falls back loudly (never in live mode). */
export const MarketDataSource = z.enum(['auto', 'exchange', 'replay', 'synthetic']);

const sizing = z
  .string()
  .regex(/^(all-in|fixed:[0-9.]+|percent:[0-9.]+)$/, 'sizing must be all-in, fixed:QTY or percent:P')
  .default('percent:10');

/** One strategy instance: which built-in, on which symbols, at which timeframe, with which parameters. */
export const StrategyDeploymentSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'id: letters, digits, _ and -, up to 40'),
  strategy: z.string().min(1),
  symbols: z
    .array(z.string().regex(/^[A-Z0-9]+\/[A-Z0-9]+(:[A-Z0-9]+)?$/, 'symbols look like BTC/USDT'))
    .min(1),
  timeframe: z
    .string()
    .regex(/^\d+[smhdw]$/, 'timeframe looks like 1m, 5m, 1h, 1d')
    .default('1m'),
  params: z.record(z.string(), z.unknown()).default({}),
  sizing,
  enabled: z.boolean().default(true),
});
export type StrategyDeploymentConfig = z.infer<typeof StrategyDeploymentSchema>;

/** Pre-trade limits and circuit breakers (unset = no limit from that rule). */
export const RiskConfigSchema = z.object({
  maxOrderNotional: z.number().positive().optional(),
  maxPositionNotional: z.number().positive().optional(),
  maxTotalExposure: z.number().positive().optional(),
  maxOpenOrders: z.number().int().positive().default(50),
  maxOrdersPerMinute: z.number().int().positive().default(60),
  priceBandPct: z.number().positive().max(1).default(0.05),
  dailyLossLimitPct: z.number().positive().max(1).optional(),
  maxDrawdownPct: z.number().positive().max(1).optional(),
  breakerState: z.enum(['HALTED', 'REDUCING']).default('HALTED'),
  consecutiveLossLimit: z.number().int().positive().optional(),
  cooldownMs: z
    .number()
    .int()
    .nonnegative()
    .default(15 * 60_000),
  staleDataMs: z.number().int().positive().default(30_000),
});

/** Every setting of a running engine, in one place. */
export const AppConfigSchema = z.object({
  mode: z.enum(['shadow', 'live', 'api']).default('shadow'),
  exchange: z
    .object({
      id: z.string().default('binance'),
      sandbox: z.boolean().default(false),
      /** Seconds to wait for the exchange before `auto` falls back. */
      connectTimeoutMs: z.number().int().positive().default(8_000),
    })
    .default({ id: 'binance', sandbox: false, connectTimeoutMs: 8_000 }),
  marketData: z
    .object({
      source: MarketDataSource.default('auto'),
      /** Candle files to replay when the exchange is unreachable (freqtrade/Yahoo CSV or JSON). */
      replayFiles: z.array(z.string()).default([]),
      /** Replay pace: bars per second per symbol. */
      replayBarsPerSecond: z.number().positive().default(2),
      seed: z.number().int().default(7),
    })
    .default({ source: 'auto', replayFiles: [], replayBarsPerSecond: 2, seed: 7 }),
  account: z
    .object({
      currency: z.string().default('USDT'),
      /** Paper account of shadow mode. */
      initialCash: z.number().positive().default(10_000),
      commission: z.number().min(0).max(0.1).default(0.001),
    })
    .default({ currency: 'USDT', initialCash: 10_000, commission: 0.001 }),
  strategies: z.array(StrategyDeploymentSchema).default([]),
  risk: RiskConfigSchema.default(RiskConfigSchema.parse({})),
  api: z
    .object({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).optional(),
      /** Bearer tokens with their roles (from config or API_TOKENS=name:role:token,...). */
      tokens: z
        .array(
          z.object({
            name: z.string().regex(/^[A-Za-z0-9_.@-]{1,40}$/, 'token name: letters, digits, _ . @ -'),
            token: z.string().min(16, 'an API token needs at least 16 characters'),
            role: z.enum(['viewer', 'trader', 'admin']),
          }),
        )
        .default([]),
    })
    .default({ host: '127.0.0.1', tokens: [] }),
  storage: z.object({ dbPath: z.string().default('data/trading.db') }).default({ dbPath: 'data/trading.db' }),
  log: z
    .object({
      level: z.enum(['error', 'warn', 'info', 'debug', 'trace']).default('info'),
      format: z.enum(['json', 'pretty']).default('pretty'),
    })
    .default({ level: 'info', format: 'pretty' }),
});
export type AppConfig = z.infer<typeof AppConfigSchema>;

/** Default API port of each mode (shadow 3000, live 3001, api 3002). */
export const DEFAULT_PORTS = { shadow: 3000, live: 3001, api: 3002 } as const;
