import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ORDER_LATENCY_BUCKETS, TradingMetrics } from '../../../src/monitor/metrics/TradingMetrics.js';
import { PROMETHEUS_MISSING, promtool } from '../../support/prometheus.js';
import { dashboardTargets, instantiate } from './dashboard.js';
import { PROM_DIR, type RuleCase, SERIES, runRuleCase } from './ruleCase.js';

/**
 * The shipped alert rules evaluated by promtool on series shaped as the engine really exports
 * them: the order latency buckets come from the real registry, and counters are born the way
 * prom-client creates them (at their first increment, unless the code pre-creates them).
 * alerts.test.yml tests the rules on hand-written series; these tests catch a rule that is
 * right on paper but wrong on what the engine exposes.
 */

/**
 * Cumulative bucket series of trading_order_latency_seconds when every minute the venue
 * acknowledges `perMinute` orders with these latencies (seconds), using the registry's own
 * bucket boundaries: what Prometheus would scrape from the engine.
 */
async function latencySeries(perMinute: readonly number[]): Promise<RuleCase['series']> {
  const m = new TradingMetrics({ processMetrics: false });
  for (const s of perMinute) m.orderLatency.observe(s);
  const family = (await m.registry.getMetricsAsJSON()).find(
    (f) => f.name === 'trading_order_latency_seconds',
  );
  m.clear();
  // The _bucket samples are the ones with an `le` label (_sum and _count have none).
  const buckets = (family?.values ?? []).filter((v) => v.labels['le'] !== undefined);
  expect(buckets.length).toBeGreaterThan(5);
  return buckets.map((b) => ({
    series: `trading_order_latency_seconds_bucket{${SERIES},le="${String(b.labels['le'])}"}`,
    values: `0+${b.value}x40`,
  }));
}

const LATENCY = {
  alertname: 'QtsOrderLatencyHigh',
  evalTime: '30m',
  severity: 'warning',
  description: 'The venue takes more than 2 s to acknowledge 5 % of the orders.',
};

describe.skipIf(PROMETHEUS_MISSING !== '')(
  `alert rules on the series the engine really exports${PROMETHEUS_MISSING}`,
  () => {
    it('QtsOrderLatencyHigh stays silent when every order is acknowledged in 1.2 s (well under 2 s)', async () => {
      // Without a bucket edge at the 2 s threshold, 1.2 s lands in (1, 2.5] and
      // histogram_quantile interpolates the p95 to 2.425 s: a page for a venue that is fine.
      const r = runRuleCase({ ...LATENCY, series: await latencySeries(Array(20).fill(1.2)), firing: [] });
      expect(r.output).toContain('SUCCESS');
      expect(r.status).toBe(0);
    });

    it('QtsOrderLatencyHigh fires when 10 % of the orders take 2.2 s', async () => {
      const latencies = [...Array<number>(18).fill(0.3), 2.2, 2.2];
      const r = runRuleCase({
        ...LATENCY,
        series: await latencySeries(latencies),
        firing: [{ labels: {}, summary: 'Order latency p95 2.25s on a:9091' }],
      });
      expect(r.output).toContain('SUCCESS');
      expect(r.status).toBe(0);
    });

    it('QtsOrderLatencyHigh stays silent when only 4 % of the orders are slow', async () => {
      const latencies = [...Array<number>(48).fill(0.3), 4, 4];
      const r = runRuleCase({ ...LATENCY, series: await latencySeries(latencies), firing: [] });
      expect(r.output).toContain('SUCCESS');
      expect(r.status).toBe(0);
    });

    it('QtsStrategyFailed fires for a strategy whose series is born at 1 (quarantined before the metrics service started)', () => {
      // metricsService creates every instance's series at start, at 1 when the instance was
      // already quarantined (warm-up): increase() never sees that first failure.
      const r = runRuleCase({
        alertname: 'QtsStrategyFailed',
        evalTime: '3m',
        severity: 'critical',
        description:
          'A handler of the strategy threw: the instance is quarantined (no more data, timers or orders) while its open orders and positions stay. The engine log and GET /api/v1/strategies say why; start it again through the API once fixed.',
        series: [
          { series: `trading_strategy_failures_total{${SERIES},strategy="sma-btc"}`, values: '_ _ 1x10' },
          { series: `trading_strategy_failures_total{${SERIES},strategy="grid-eth"}`, values: '_ _ 0x10' },
        ],
        firing: [{ labels: { strategy: 'sma-btc' }, summary: 'Strategy sma-btc failed on a:9091' }],
      });
      expect(r.output).toContain('SUCCESS');
      expect(r.status).toBe(0);
    });

    it('QtsExchangeRateLimited fires on the first 3 push-backs of a venue (the series is born at the first)', () => {
      // recordExchangeProblem creates the (exchange, reason) series at its first push-back:
      // increase() over a series born at 1 misses that one, so 3 push-backs looked like ~2.
      const r = runRuleCase({
        alertname: 'QtsExchangeRateLimited',
        evalTime: '5m',
        severity: 'warning',
        description:
          'The venue pushed back 3 times or more in 15 minutes (HTTP 429/418 or DDoS protection). Repeated 429s can get the IP banned.',
        series: [
          {
            series: `trading_exchange_rate_limit_waits_total{${SERIES},exchange="binance",reason="ddos_protection"}`,
            values: '_ _ 1 2 3 3 3',
          },
          {
            series: `trading_exchange_rate_limit_waits_total{${SERIES},exchange="kraken",reason="rate_limit"}`,
            values: '_ _ 1 2 2 2 2',
          },
        ],
        firing: [{ labels: { exchange: 'binance' }, summary: 'Exchange binance is rate-limiting a:9091' }],
      });
      expect(r.output).toContain('SUCCESS');
      expect(r.status).toBe(0);
    });

    it('QtsExchangeRateLimited counts push-backs on both sides of an engine restart', () => {
      // Two push-backs, a restart (the counter starts again at 0), one more: 3 in 15 minutes.
      // The series is younger than 15 minutes but its value (1) is not its count: increase()
      // is, across the reset.
      const base = `trading_exchange_rate_limit_waits_total{${SERIES},exchange="binance",reason="rate_limit"}`;
      const r = runRuleCase({
        alertname: 'QtsExchangeRateLimited',
        evalTime: '8m',
        severity: 'warning',
        description:
          'The venue pushed back 3 times or more in 15 minutes (HTTP 429/418 or DDoS protection). Repeated 429s can get the IP banned.',
        series: [{ series: base, values: '5 6 7 0 1 1 1 1 1' }],
        firing: [{ labels: { exchange: 'binance' }, summary: 'Exchange binance is rate-limiting a:9091' }],
      });
      expect(r.output).toContain('SUCCESS');
      expect(r.status).toBe(0);
    });
  },
);

describe('order latency buckets', () => {
  it('have an edge at the QtsOrderLatencyHigh threshold, so the rule reads the p95 exactly there', () => {
    const rules = readFileSync(join(PROM_DIR, 'alerts.yml'), 'utf8');
    const m = /trading_order_latency_seconds_bucket\[10m\]\)\)\) > ([0-9.]+)/.exec(rules);
    expect(m?.[1]).toBeDefined();
    expect(ORDER_LATENCY_BUCKETS).toContain(Number(m?.[1]));
  });
});

/** Runs a promtool promql_expr_test: `expr` over `series` at `evalTime` must give `exp`. */
function runExprCase(
  series: RuleCase['series'],
  expr: string,
  evalTime: string,
  exp: readonly { readonly labels: string; readonly value: number }[],
): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'qts-expr-'));
  try {
    const q = (v: string): string => `'${v.replaceAll("'", "''")}'`;
    const lines = [
      'evaluation_interval: 1m',
      'tests:',
      '  - interval: 1m',
      '    input_series:',
      ...series.flatMap((x) => [`      - series: ${q(x.series)}`, `        values: ${q(x.values)}`]),
      '    promql_expr_test:',
      `      - expr: ${q(expr)}`,
      `        eval_time: ${evalTime}`,
      '        exp_samples:',
      ...exp.flatMap((e) => [`          - labels: ${q(e.labels)}`, `            value: ${e.value}`]),
    ];
    writeFileSync(join(dir, 'expr.test.yml'), lines.join('\n') + '\n');
    const r = promtool(['test', 'rules', 'expr.test.yml'], { cwd: dir });
    return { status: r.status, output: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(PROMETHEUS_MISSING !== '')(
  `dashboard queries on real series shapes${PROMETHEUS_MISSING}`,
  () => {
    it('"Strategies running / failed" counts an instance quarantined during warm-up (series born at 1)', () => {
      const dashboard = JSON.parse(
        readFileSync(resolve('monitoring/grafana/dashboards/trading.json'), 'utf8'),
      ) as unknown;
      const failed = dashboardTargets(dashboard).find(
        (t) => t.panel === 'Strategies running / failed' && t.refId === 'B',
      );
      expect(failed?.expr).toContain('trading_strategy_failures_total');
      const r = runExprCase(
        [
          { series: `trading_strategy_failures_total{${SERIES},strategy="sma-btc"}`, values: '_ _ 1x60' },
          { series: `trading_strategy_failures_total{${SERIES},strategy="grid-eth"}`, values: '_ _ 0x60' },
        ],
        instantiate(failed?.expr ?? '', { instance: 'a:9091' }),
        '40m',
        [{ labels: '{instance="a:9091"}', value: 1 }],
      );
      expect(r.output).toContain('SUCCESS');
      expect(r.status).toBe(0);
    });
  },
);
