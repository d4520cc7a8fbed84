import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EngineSnapshot } from './EngineSnapshot.js';

/** Options of a TradingMetrics registry. */
export interface TradingMetricsOptions {
  /**
   * Expose the trading metrics (orders, PnL, risk, market data, exchange). False in api
   * mode, which trades nothing: only process and HTTP metrics are exposed there.
   */
  readonly trading?: boolean;
  /** prom-client's default process and Node.js metrics (default true). */
  readonly processMetrics?: boolean;
}

/** Every risk trading state, so each has a series (0 or 1) and alerts never see a gap. */
export const RISK_STATES = ['ACTIVE', 'REDUCING', 'HALTED'] as const;

/**
 * Order round trip to the venue: 1 ms (simulated) … 10 s (a struggling exchange). 2 s is an
 * edge because QtsOrderLatencyHigh pages on p95 > 2 s: histogram_quantile interpolates inside
 * a bucket, so without that edge every order at 1.2 s read as a p95 of 2.4 s (a page) and 10 %
 * of orders at 2.2 s as 1.75 s (none).
 */
export const ORDER_LATENCY_BUCKETS = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 5, 10,
] as const;
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * The engine's Prometheus metrics, in a registry of their own (never prom-client's global
 * one, so two engines in one test process do not share counters). The names of the first
 * six are fixed by the operations manual, which dashboards and alert rules rely on.
 *
 * Counters are fed by events as they happen; gauges describing engine state are read from
 * an `EngineSnapshot` source at scrape time, so a scrape always shows the state of that
 * moment and nothing has to be pushed on every bar.
 */
export class TradingMetrics {
  readonly registry = new Registry();

  /** Every order a strategy, the API or the kill switch submits (risk-denied ones included). */
  readonly orders: Counter<'strategy' | 'symbol' | 'side' | 'type'>;
  /** Orders denied by risk or rejected by the venue, by reason code (ERR_RISK_MAX_NOTIONAL…). */
  readonly ordersFailed: Counter<'reason'>;
  readonly orderLatency: Histogram;
  /** Every fill line booked: an order's fills and a futures liquidation's line alike. */
  readonly fills: Counter<'strategy' | 'symbol' | 'side' | 'liquidity'>;
  /**
   * Positions the venue closed by liquidation or auto-deleveraging, one each however many fill
   * lines of order `LIQUIDATION` the venue closed it in, by the strategy the lines are credited
   * to: the one fact an operator must never learn late.
   */
  readonly liquidations: Counter<'strategy' | 'symbol' | 'side'>;
  /** Strategy instances quarantined because a handler threw (the engine went on without them). */
  readonly strategyFailures: Counter<'strategy'>;
  readonly pnl: Gauge;
  readonly positions: Gauge;
  readonly strategiesRunning: Gauge;
  readonly equity: Gauge;
  readonly drawdown: Gauge;
  readonly exposure: Gauge;
  readonly exposureRatio: Gauge;
  readonly feesPaid: Gauge;
  readonly feesUnvalued: Gauge<'currency'>;
  readonly openOrders: Gauge;
  readonly riskState: Gauge<'state'>;
  readonly marketDataLag: Gauge<'symbol'>;
  readonly marketDataStale: Gauge<'symbol'>;
  readonly wsClients: Gauge;
  readonly exchangeErrors: Counter<'exchange' | 'reason'>;
  readonly rateLimitWaits: Counter<'exchange' | 'reason'>;
  readonly rateLimitWaitSeconds: Counter<'exchange' | 'reason'>;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
  readonly info: Gauge<'mode'>;

  private snapshotSource: (() => EngineSnapshot) | undefined;
  private wsClientsSource: (() => number) | undefined;

  constructor(opts: TradingMetricsOptions = {}) {
    const trading = opts.trading ?? true;
    const t = trading ? [this.registry] : [];
    const always = [this.registry];
    this.orders = new Counter({
      name: 'trading_orders_total',
      help: 'Orders submitted to the engine (risk-denied ones included)',
      labelNames: ['strategy', 'symbol', 'side', 'type'],
      registers: t,
    });
    this.ordersFailed = new Counter({
      name: 'trading_orders_failed_total',
      help: 'Orders denied by risk or rejected by the venue, by reason code',
      labelNames: ['reason'],
      registers: t,
    });
    this.orderLatency = new Histogram({
      name: 'trading_order_latency_seconds',
      help: 'Time from an order leaving the OMS to the venue accepting (or first filling) it',
      buckets: [...ORDER_LATENCY_BUCKETS],
      registers: t,
    });
    this.fills = new Counter({
      name: 'trading_fills_total',
      help: 'Fills (executions) booked, partial fills counted one by one, liquidation lines included',
      labelNames: ['strategy', 'symbol', 'side', 'liquidity'],
      registers: t,
    });
    this.liquidations = new Counter({
      name: 'trading_liquidations_total',
      help: 'Positions closed by a liquidation or ADL, one per close however many fill lines of order LIQUIDATION (each line is in trading_fills_total)',
      labelNames: ['strategy', 'symbol', 'side'],
      registers: t,
    });
    this.strategyFailures = new Counter({
      name: 'trading_strategy_failures_total',
      help: 'Strategy instances quarantined because a handler threw (ERR_STRATEGY_FAILED); the engine and the other strategies go on',
      labelNames: ['strategy'],
      registers: t,
    });
    const gauge = (name: string, help: string): Gauge => new Gauge({ name, help, registers: t });
    this.pnl = gauge(
      'trading_pnl_total',
      'Realized plus unrealized PnL in the account currency, before fees paid in cash (a fee taken in the coin is in it)',
    );
    this.positions = gauge('trading_positions_count', 'Open positions (symbols with a non-zero quantity)');
    this.strategiesRunning = gauge('trading_strategies_running', 'Strategies running in the engine');
    this.equity = gauge('trading_equity', 'Account equity at last prices, in the account currency');
    this.drawdown = gauge('trading_drawdown_ratio', 'Drawdown of equity from its peak (0.1 = 10 %)');
    this.exposure = gauge(
      'trading_exposure',
      'Gross notional of open positions at last prices, account currency',
    );
    this.exposureRatio = gauge('trading_exposure_ratio', 'Gross exposure divided by equity');
    this.feesPaid = gauge(
      'trading_fees_paid',
      'Fees paid since the engine started, in the account currency (a fee taken in the coin valued at its fill price)',
    );
    this.feesUnvalued = new Gauge({
      name: 'trading_fees_paid_unvalued',
      help: 'Fees paid in a currency with no price in the account currency (BNB), in that currency; not in trading_fees_paid',
      labelNames: ['currency'],
      registers: t,
    });
    this.openOrders = gauge('trading_open_orders', 'Orders working at the venue');
    this.riskState = new Gauge({
      name: 'trading_risk_state',
      help: 'Trading state of the risk engine: 1 for the current state, 0 for the others',
      labelNames: ['state'],
      registers: t,
    });
    this.marketDataLag = new Gauge({
      name: 'trading_market_data_lag_seconds',
      help: 'Seconds since the last closed bar or trade of a symbol arrived',
      labelNames: ['symbol'],
      registers: t,
    });
    this.marketDataStale = new Gauge({
      name: 'trading_market_data_stale',
      help: 'Market data of a symbol is stale (1) or fresh (0), by the risk staleness limit',
      labelNames: ['symbol'],
      registers: t,
    });
    this.wsClients = gauge('trading_ws_clients', 'WebSocket push clients connected');
    this.exchangeErrors = new Counter({
      name: 'trading_exchange_request_errors_total',
      help: 'Failed exchange requests and streams, by exchange and reason',
      labelNames: ['exchange', 'reason'],
      registers: t,
    });
    this.rateLimitWaits = new Counter({
      name: 'trading_exchange_rate_limit_waits_total',
      help: 'Waits imposed by an exchange pushing back (rate limit, DDoS protection)',
      labelNames: ['exchange', 'reason'],
      registers: t,
    });
    this.rateLimitWaitSeconds = new Counter({
      name: 'trading_exchange_rate_limit_wait_seconds_total',
      help: 'Seconds spent waiting because an exchange pushed back',
      labelNames: ['exchange', 'reason'],
      registers: t,
    });
    this.httpRequests = new Counter({
      name: 'trading_http_requests_total',
      help: 'HTTP API requests answered, by method, route pattern and status code',
      labelNames: ['method', 'route', 'status'],
      registers: always,
    });
    this.httpDuration = new Histogram({
      name: 'trading_http_request_duration_seconds',
      help: 'HTTP API response time by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: HTTP_BUCKETS,
      registers: always,
    });
    this.info = new Gauge({
      name: 'trading_engine_info',
      help: 'Always 1; the mode the engine runs in is its label',
      labelNames: ['mode'],
      registers: always,
    });
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Content type of the exposition (Prometheus text format 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The engine-state gauges are read from `source` at every scrape. */
  attachEngine(source: () => EngineSnapshot): void {
    this.snapshotSource = source;
    for (const s of RISK_STATES) this.riskState.set({ state: s }, 0);
  }

  setMode(mode: string): void {
    this.info.reset();
    this.info.set({ mode }, 1);
  }

  /** The WebSocket push server reports its client count here… */
  setWsClients(count: number): void {
    this.wsClients.set(count);
  }

  /** …or lets it be read at each scrape (e.g. `() => push.stats().clients`). */
  readWsClientsFrom(source: () => number): void {
    this.wsClientsSource = source;
  }

  /** A failed exchange request; a venue push-back also counts as a rate-limit wait of `waitMs`. */
  recordExchangeProblem(exchange: string, reason: string, rateLimited: boolean, waitMs: number): void {
    this.exchangeErrors.inc({ exchange, reason });
    if (!rateLimited) return;
    this.rateLimitWaits.inc({ exchange, reason });
    if (waitMs > 0) this.rateLimitWaitSeconds.inc({ exchange, reason }, waitMs / 1000);
  }

  /** One answered HTTP request; `route` is the route pattern (`/api/v1/orders/:id`), never the raw URL. */
  observeHttpRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
    this.httpDuration.observe({ method, route }, seconds);
  }

  /** The exposition text, with engine gauges refreshed first. */
  async exposition(): Promise<string> {
    this.refresh();
    return this.registry.metrics();
  }

  /** Drops every metric (the service is stopping). */
  clear(): void {
    this.registry.clear();
  }

  private refresh(): void {
    if (this.wsClientsSource !== undefined) this.wsClients.set(this.wsClientsSource());
    if (this.snapshotSource === undefined) return;
    const s = this.snapshotSource();
    this.equity.set(s.equity);
    this.pnl.set(s.pnl);
    this.drawdown.set(s.drawdown);
    this.exposure.set(s.exposure);
    this.exposureRatio.set(s.equity > 0 ? s.exposure / s.equity : 0);
    this.feesPaid.set(s.fees);
    for (const f of s.feesUnvalued) this.feesUnvalued.set({ currency: f.currency }, f.amount);
    this.positions.set(s.positions);
    this.openOrders.set(s.openOrders);
    this.strategiesRunning.set(s.strategiesRunning);
    for (const state of RISK_STATES) this.riskState.set({ state }, s.riskState === state ? 1 : 0);
    for (const m of s.markets) {
      // No data yet: no lag sample (there is nothing to measure), but stale says so.
      if (m.lagSeconds === undefined) this.marketDataLag.remove({ symbol: m.symbol });
      else this.marketDataLag.set({ symbol: m.symbol }, m.lagSeconds);
      this.marketDataStale.set({ symbol: m.symbol }, m.stale ? 1 : 0);
    }
  }
}
