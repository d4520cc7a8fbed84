import { DEFAULT_METRICS_PORTS } from '../../config/configSchema.js';
import type { AppConfig } from '../../config/configSchema.js';
import { LIQUIDATIONS, LIQUIDATION_FILLS, ORDER_EVENTS } from '../../kernel/topics.js';
import { EngineSnapshotter } from '../../monitor/metrics/EngineSnapshotter.js';
import { MetricsServer } from '../../monitor/metrics/MetricsServer.js';
import { OrderEventMetrics } from '../../monitor/metrics/OrderEventMetrics.js';
import { TradingMetrics } from '../../monitor/metrics/TradingMetrics.js';
import type { RunningService, ServiceContext, ServiceFactory } from './ServiceContext.js';

/** The running metrics service: its registry (for other parts to feed) and the bound port. */
export interface MetricsService extends RunningService {
  readonly metrics: TradingMetrics;
  /** The port actually bound (config port 0 picks a free one). */
  readonly port: number;
}

/**
 * The metrics port: explicit, else the mode's default (9091 shadow, 9092 live, 9094 api) —
 * but an engine whose API asked for any free port (api.port 0, as tests do) gets one here too.
 */
export function metricsPort(config: AppConfig, mode: ServiceContext['mode']): number {
  if (config.metrics.port !== undefined) return config.metrics.port;
  return config.api.port === 0 ? 0 : DEFAULT_METRICS_PORTS[mode];
}

/**
 * Prometheus metrics of a running engine on their own port. With an engine: order events,
 * liquidation fill lines (fills) and liquidations (one each, however many lines) from the bus, strategy instances quarantined
 * (`trading_strategy_failures_total`), and engine state (equity, PnL, risk state, market data
 * freshness) read at each scrape. In api mode, which trades nothing: process and HTTP metrics only.
 */
export const metricsService: ServiceFactory = async (ctx) => startMetricsService(ctx);

export async function startMetricsService(ctx: ServiceContext): Promise<MetricsService | undefined> {
  const cfg = ctx.config.metrics;
  if (!cfg.enabled) return undefined;
  const engine = ctx.engine;
  const metrics = new TradingMetrics({ trading: engine !== undefined });
  metrics.setMode(ctx.mode);
  let unsubscribe = (): void => undefined;
  if (engine !== undefined) {
    const orders = new OrderEventMetrics(metrics, ctx.now);
    const offOrderEvents = engine.node.bus.subscribe(ORDER_EVENTS, (e) => orders.onEvent(e));
    // A liquidation is no order event (the OMS has no such order) but a fill line all the same:
    // each line counts as a fill, the liquidation (however many lines) once.
    const offLiquidationFills = engine.node.bus.subscribe(LIQUIDATION_FILLS, (e) =>
      orders.onLiquidationFill(e),
    );
    const offLiquidations = engine.node.bus.subscribe(LIQUIDATIONS, (e) => orders.onLiquidation(e));
    const snapshots = new EngineSnapshotter(engine, {
      symbols: [...new Set(ctx.config.strategies.filter((s) => s.enabled).flatMap((s) => s.symbols))],
      staleAfterMs: ctx.config.risk.staleDataMs,
      strategiesRunning: () => ctx.status.status().strategies.filter((s) => s.running).length,
      now: ctx.now,
    });
    metrics.attachEngine(() => snapshots.snapshot());
    const offProblems = engine.onRequestProblem((p) =>
      metrics.recordExchangeProblem(p.exchange, p.reason, p.rateLimited, p.retryInMs),
    );
    // Every instance has its series from the start, so an alert on increase() sees the first
    // failure; one quarantined before this service started (warm-up, first bars) counts.
    for (const s of engine.node.strategyInfos())
      metrics.strategyFailures.inc({ strategy: s.id }, s.failure === undefined ? 0 : 1);
    const offFailures =
      engine.onStrategyFailure?.((f) => metrics.strategyFailures.inc({ strategy: f.strategyId })) ??
      (() => undefined);
    unsubscribe = () => {
      offOrderEvents();
      offLiquidationFills();
      offLiquidations();
      offProblems();
      offFailures();
    };
  }
  const server = new MetricsServer(metrics);
  try {
    await server.listen(cfg.host, metricsPort(ctx.config, ctx.mode));
  } catch (e) {
    unsubscribe();
    metrics.clear();
    throw e;
  }
  const url = `http://${cfg.host}:${server.port}/metrics`;
  ctx.log.info(`metrics: ${url}`);
  return {
    name: 'metrics',
    metrics,
    get port() {
      return server.port;
    },
    health: () => ({
      name: 'metrics',
      ready: server.listening,
      detail: server.listening ? url : 'metrics server not listening',
    }),
    async stop() {
      unsubscribe();
      await server.close();
      metrics.clear();
    },
  };
}
