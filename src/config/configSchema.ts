import { z } from 'zod';
import { TrustedProxies } from '../api/auth/TrustedProxies.js';
import { NotificationsConfigSchema } from './notificationsConfigSchema.js';

// The notification settings have their own file; re-exported because the notifiers (src/notify,
// the app's notify service) import them from here, with every other part of the configuration.
export { NOTIFICATION_KINDS, NotificationsConfigSchema } from './notificationsConfigSchema.js';
export type { NotificationsConfig } from './notificationsConfigSchema.js';

/** Where live market data comes from. `auto` tries the exchange and falls back loudly (never in live mode). */
export const MarketDataSource = z.enum(['auto', 'exchange', 'replay', 'synthetic']);

const sizing = z
  .string()
  .regex(/^(all-in|fixed:[0-9.]+|percent:[0-9.]+)$/, 'sizing must be all-in, fixed:QTY or percent:P')
  .default('percent:10');

/** One strategy instance: which strategy (a built-in id or a strategy file), on which symbols, at which timeframe, with which parameters. */
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

/** Encrypted exchange keys (`qts keys …`); the master key itself only ever comes from MASTER_KEY. */
export const SecurityConfigSchema = z.object({
  keysFile: z.string().min(1).default('secrets/exchange-keys.enc.json'),
});

/**
 * Leverage and margin mode per USDT-M perpetual ("BTC/USDT:USDT"), one schema for live and
 * shadow: live sets them on the exchange at startup, shadow on its simulated venue's margin
 * account; both before any strategy may submit. A traded perpetual not listed runs at 1x isolated.
 */
export const PerpetualsSchema = z.record(
  z.string().regex(/^[A-Z0-9]+\/[A-Z0-9]+:[A-Z0-9]+$/, 'perpetual symbols look like BTC/USDT:USDT'),
  z.object({
    leverage: z.number().int().min(1).max(125).default(1),
    marginMode: z.enum(['isolated', 'cross']).default('isolated'),
  }),
);

/**
 * Live trading (mode live, docs/live-trading.md). `confirmed` must be set explicitly
 * (LIVE_TRADING_CONFIRM=yes): live mode refuses to start without it.
 */
export const LiveConfigSchema = z.object({
  confirmed: z.boolean().default(false),
  /** Prefix of every client order id this deployment sends (letters and digits). */
  clientIdPrefix: z
    .string()
    .regex(/^[A-Za-z0-9]{1,8}$/, 'clientIdPrefix: 1-8 letters/digits')
    .default('qts'),
  /** Longest time an order may stay of unknown outcome (above request timeout + receive window). */
  resolveWithinMs: z.number().int().positive().default(30_000),
  /** REST sync of open and in-flight orders (fills the streams missed). */
  syncIntervalMs: z.number().int().positive().default(2_000),
  /**
   * While the private streams are healthy, an acknowledged order they cover is looked up by
   * REST only once its latest news is this old (orders of unknown outcome stay at syncIntervalMs).
   */
  streamSyncIntervalMs: z.number().int().positive().default(30_000),
  /** Periodic reconciliation with the exchange while running. */
  reconcileIntervalMs: z.number().int().positive().default(60_000),
  /** Our order budget on top of ccxt's limiter: at most maxOrders per orderWindowMs. */
  maxOrders: z.number().int().positive().default(10),
  orderWindowMs: z.number().int().positive().default(1_000),
  requestTimeoutMs: z.number().int().positive().default(10_000),
  /** Use the private WebSocket streams (watchOrders/watchMyTrades) besides REST sync. */
  streams: z.boolean().default(true),
  /**
   * USDT-M perpetuals: leverage and margin mode per symbol ("BTC/USDT:USDT"), set on the
   * exchange at startup before any strategy may submit (docs/live-trading.md, Perpetuals).
   * A traded perpetual not listed here runs at 1x isolated.
   */
  perpetuals: PerpetualsSchema.default({}),
});
export type LiveConfig = z.infer<typeof LiveConfigSchema>;
/** Leverage and margin mode of one perpetual (live or shadow). */
export type PerpetualSettingsConfig = LiveConfig['perpetuals'][string];

/**
 * Shadow mode (paper trading on live market data). `perpetuals` has the shape of
 * `live.perpetuals`; when it is absent, shadow takes `live.perpetuals`, so a paper account
 * margins its perpetuals as the live account it rehearses will (docs/futures.md).
 */
export const ShadowConfigSchema = z.object({
  perpetuals: PerpetualsSchema.optional(),
});

/**
 * Proxies whose X-Forwarded-For names the client (addresses and CIDR ranges). Default
 * loopback: the shipped web dashboard (or an nginx) forwards from the engine's own host.
 * `[]` believes no header: every client is the address of its socket.
 */
const trustedProxies = z
  .array(
    z.string().check((ctx) => {
      const why = TrustedProxies.entryError(ctx.value);
      if (why !== undefined) ctx.issues.push({ code: 'custom', message: why, input: ctx.value });
    }),
  )
  .default([...TrustedProxies.LOOPBACK]);

/** Every setting of a running engine, in one place. */
export const AppConfigSchema = z.object({
  live: LiveConfigSchema.default(LiveConfigSchema.parse({})),
  shadow: ShadowConfigSchema.prefault({}),
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
      /**
       * Closed bars of each strategy's own timeframe it is warmed up with at start, from the
       * exchange's candle history (else candles stored by `qts data download`), before any
       * live bar; 0 = strategies start cold. Exchange market data only.
       */
      warmupBars: z.number().int().min(0).max(5_000).default(300),
      /**
       * Bound on the whole warm-up fetch at start (ms): an exchange that answers slowly or
       * never delays the start by at most this long; what was fetched by then, completed with
       * stored candles, is used, else strategies start cold.
       */
      warmupTimeoutMs: z.number().int().min(1_000).max(600_000).default(30_000),
    })
    .default({
      source: 'auto',
      replayFiles: [],
      replayBarsPerSecond: 2,
      seed: 7,
      warmupBars: 300,
      warmupTimeoutMs: 30_000,
    }),
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
      /** Login sessions: HS256 JWTs signed with this secret (JWT_SECRET); unset = no login route. */
      jwt: z
        .object({
          secret: z.string().min(32, 'JWT_SECRET needs at least 32 characters').optional(),
          ttlSeconds: z.number().int().min(10).max(86_400).default(900),
        })
        .prefault({}),
      /** Origins allowed to call the API from a browser; empty = CORS closed. */
      corsOrigins: z.array(z.string().url()).default([]),
      rateLimit: z
        .object({
          /** Requests per window per client (token or address). */
          max: z.number().int().positive().default(300),
          windowMs: z.number().int().positive().default(60_000),
          /** Failed logins (or bad bearer tokens) per address before 429 until the window passes. */
          authFailures: z.number().int().positive().default(10),
          authWindowMs: z
            .number()
            .int()
            .positive()
            .default(15 * 60_000),
        })
        .prefault({}),
      /**
       * Peers whose X-Forwarded-For is believed: the client address of the auth-failure limit,
       * the rate limit and the audit trail, on the REST and the push port (docs/api.md).
       */
      trustedProxies,
      /** Serve /docs without a token (the OpenAPI schema holds no data). */
      publicDocs: z.boolean().default(false),
      /** Folder whose candle files backtests may read by relative name. */
      backtestDataDir: z.string().default('data/history'),
      /** Backtests running at once (each takes a worker thread). */
      maxBacktests: z.number().int().min(1).max(16).default(2),
    })
    .prefault({}),
  storage: z
    .object({
      dbPath: z.string().default('data/trading.db'),
      // NORMAL: a commit survives a crash of the process; FULL: a power loss too (one fsync per commit).
      synchronous: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
    })
    .default({ dbPath: 'data/trading.db', synchronous: 'NORMAL' }),
  /** Prometheus /metrics endpoint of the engine; port defaults by mode (DEFAULT_METRICS_PORTS). */
  metrics: z
    .object({
      enabled: z.boolean().default(true),
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).optional(),
    })
    .prefault({}),
  /** WebSocket push server (docs/websocket.md); host defaults to api.host, port by mode (DEFAULT_PUSH_PORTS). */
  push: z
    .object({
      enabled: z.boolean().default(true),
      host: z.string().optional(),
      port: z.number().int().min(0).max(65535).optional(),
      /** A client with more unsent bytes than this is dropped (it reads too slowly). */
      maxBufferedBytes: z
        .number()
        .int()
        .min(1_024)
        .default(1024 * 1024),
      /** Protocol ping interval; a client that misses one pong is dropped. */
      heartbeatMs: z.number().int().min(100).default(15_000),
      /** Least interval between two updates of a state channel (equity, positions, tickers). */
      throttleMs: z.number().int().min(0).default(250),
      maxClients: z.number().int().positive().default(1_000),
    })
    .prefault({}),
  /** Web dashboard (docs/dashboard.md): served by the engine at /, and by the standalone web-dashboard server. */
  dashboard: z
    .object({
      /** Serve the built app at / of the API port (and proxy the push at /ws). */
      enabled: z.boolean().default(true),
      /** Folder of the built app; default dist/web of the project. */
      dir: z.string().min(1).optional(),
      /** Standalone web-dashboard server (src/monitor/dashboard): its address… */
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8088),
      /** …and the engine it fronts: REST at apiUrl, push at pushUrl. */
      apiUrl: z.url().default('http://127.0.0.1:3000'),
      pushUrl: z.url().default('ws://127.0.0.1:8080'),
      /**
       * Peers of the standalone server (a front nginx) whose X-Forwarded-For it passes on,
       * its peer appended; any other peer's header is replaced by the peer's address.
       */
      trustedProxies,
    })
    .prefault({}),
  log: z
    .object({
      level: z.enum(['error', 'warn', 'info', 'debug', 'trace']).default('info'),
      format: z.enum(['json', 'pretty']).default('pretty'),
      /** Folder of trading-YYYY-MM-DD.log and error-YYYY-MM-DD.log (docs/logging.md). */
      dir: z.string().min(1).default('logs/app'),
      /** false = stdout only (e.g. under Docker, where the platform keeps the logs). */
      files: z.boolean().default(true),
      /** Days of daily log files kept; 0 keeps them all (leave it to logrotate). */
      retainDays: z.number().int().min(0).default(30),
    })
    .prefault({}),
  /** The hash-chained audit trail (docs/logging.md): never pruned by the engine. */
  audit: z
    .object({
      enabled: z.boolean().default(true),
      dir: z.string().min(1).default('logs/app/audit'),
      /** fdatasync after every record (survives a power cut; one disk flush per record). */
      fsync: z.boolean().default(false),
    })
    .prefault({}),
  security: SecurityConfigSchema.prefault({}),
  notifications: NotificationsConfigSchema.prefault({}),
  /** What the engine keeps across restarts for the dashboard: the sampled equity curve. */
  history: z
    .object({
      /** At most one stored equity sample per this interval (the live curve in memory is finer). */
      equitySampleMs: z.number().int().min(0).default(60_000),
      /** Stored equity samples kept (100,000 at one a minute ≈ 69 days); older ones are deleted. */
      equityMaxSamples: z.number().int().min(10).default(100_000),
    })
    .prefault({}),
});
export type AppConfig = z.infer<typeof AppConfigSchema>;

/** Default API port of each mode (shadow 3000, live 3001, api 3002). */
export const DEFAULT_PORTS = { shadow: 3000, live: 3001, api: 3002 } as const;

/**
 * Default metrics port of each mode: shadow 9091, live 9092, and api 9094 so a research
 * server beside a running engine (or an Alertmanager on 9093) does not collide with it.
 */
export const DEFAULT_METRICS_PORTS = { shadow: 9091, live: 9092, api: 9094 } as const;

/**
 * Default WebSocket push port of each mode: 8080 for shadow and api, 8081 for live, so a
 * live engine and a shadow engine can run side by side on one host.
 */
export const DEFAULT_PUSH_PORTS = { shadow: 8080, live: 8081, api: 8080 } as const;
