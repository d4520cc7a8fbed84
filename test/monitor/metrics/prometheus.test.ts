import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Fastify from 'fastify';
import pino from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TradingRuntime } from '../../../src/app/TradingRuntime.js';
import type { MetricsService } from '../../../src/app/services/metricsService.js';
import { startMetricsService } from '../../../src/app/services/metricsService.js';
import { AppConfigSchema } from '../../../src/config/configSchema.js';
import { toFixed, toNumber } from '../../../src/core/Fixed.js';
import { ORDER_EVENTS } from '../../../src/kernel/topics.js';
import { NULL_AUDIT } from '../../../src/monitor/AuditSink.js';
import { instrumentFastify } from '../../../src/monitor/metrics/instrumentFastify.js';
import type { PromSample, RunningPrometheus } from '../../support/prometheus.js';
import { PROMETHEUS_MISSING, promtool, startPrometheus } from '../../support/prometheus.js';
import { dashboardTargets, instantiate } from './dashboard.js';

const ALERTS = resolve('monitoring/prometheus/alerts.yml');
const DASHBOARD = resolve('monitoring/grafana/dashboards/trading.json');
const num = (r: PromSample[]): number => Number(r[0]?.value[1] ?? Number.NaN);
const sum = (r: PromSample[]): number => r.reduce((a, s) => a + Number(s.value[1]), 0);

/**
 * The names of prom-client's default Node.js metric families. TOOLCHAIN: some of them
 * (nodejs_active_handles_total, a gauge) break promtool's naming lint, so promtool checks
 * our own families, and these are filtered out of the exposition first.
 */
async function defaultFamilies(): Promise<Set<string>> {
  const r = new Registry();
  collectDefaultMetrics({ register: r });
  const names = (await r.getMetricsAsJSON()).map((m) => m.name);
  r.clear();
  return new Set(names);
}

/** The exposition without the families in `drop` (a family is its # HELP/# TYPE block). */
function withoutFamilies(text: string, drop: ReadonlySet<string>): string {
  return text
    .split(/(?=^# HELP )/m)
    .filter((block) => !drop.has(/^# HELP (\S+)/.exec(block)?.[1] ?? ''))
    .join('');
}

describe.skipIf(PROMETHEUS_MISSING !== '')(
  `metrics scraped by a real Prometheus${PROMETHEUS_MISSING}`,
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-metrics-'));
    const config = AppConfigSchema.parse({
      mode: 'shadow',
      marketData: { source: 'synthetic', replayBarsPerSecond: 20, seed: 11 },
      account: { currency: 'USDT', initialCash: 10_000, commission: 0.001 },
      strategies: [
        { id: 'dca-btc', strategy: 'dca', symbols: ['BTC/USDT'], timeframe: '1m', params: { amount: 50 } },
      ],
      storage: { dbPath: join(dir, 'trading.db') },
      api: { host: '127.0.0.1', port: 0 },
      metrics: { port: 0 },
      risk: { staleDataMs: 600_000, maxOrderNotional: 1_000, maxOrdersPerMinute: 1_000_000 },
    });
    let rt: TradingRuntime | undefined;
    let svc: MetricsService | undefined;
    let prom: RunningPrometheus | undefined;
    let fills = 0;
    let submitted = 0;
    let dcaOrders = 0;

    beforeAll(async () => {
      rt = await TradingRuntime.startShadow(config, {
        log: pino({ level: 'silent' }),
        noHttp: true,
        noServices: true,
      });
      const engine = rt;
      engine.node.bus.subscribe(ORDER_EVENTS, (e) => {
        if (e.type === 'OrderFilled') fills++;
        if (e.type === 'OrderSubmitted') submitted++;
        if (e.type === 'OrderInitialized' && e.strategyId === 'dca-btc') dcaOrders++;
      });
      svc = await startMetricsService({
        mode: 'shadow',
        config,
        log: pino({ level: 'silent' }),
        audit: NULL_AUDIT,
        logTail: undefined,
        status: engine,
        engine,
        now: () => Date.now(),
      });
      if (svc === undefined) throw new Error('metrics service did not start');
      prom = await startPrometheus({
        targets: [`127.0.0.1:${svc.port}`],
        job: 'qts-engine',
        ruleFiles: [ALERTS],
      });
    });

    afterAll(async () => {
      await prom?.stop();
      await svc?.stop();
      await rt?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('shows the engine as it is: orders, failures, fills, latency, account and market data, queried from Prometheus', async () => {
      const p = prom!;
      const engine = rt!;
      const metrics = svc!.metrics;
      // Trading runs while Prometheus scrapes; then the market stops so the state holds still.
      await p.waitFor('sum(trading_fills_total)', (r) => num(r) >= 5, 'five fills scraped');
      await engine.market.feed.stop();
      // An order over the notional limit is denied by risk and counted by its reason code.
      engine.node.submit('manual', {
        symbol: 'BTC/USDT',
        side: 'BUY',
        type: 'MARKET',
        quantity: toFixed('100'),
        timeInForce: 'GTC',
        postOnly: false,
        reduceOnly: false,
      });
      // The feed hook and the API hook are not wired into the shadow runtime here: feed them
      // as they would, so their series exist for the dashboard and rule checks below.
      metrics.recordExchangeProblem('binance', 'rate_limit', true, 1_000);
      metrics.recordExchangeProblem('binance', 'network', false, 500);
      metrics.setWsClients(2);
      const app = Fastify();
      instrumentFastify(app, metrics);
      app.get('/api/v1/status', () => ({}));
      await app.inject({ url: '/api/v1/status' });
      await app.close();

      const counts = engine.node.oms.orderCounts();
      const total = await p.waitFor(
        'sum(trading_orders_total)',
        (r) => num(r) === counts.total,
        'every order counted',
      );
      expect(num(total)).toBeGreaterThanOrEqual(6);
      expect(
        num(
          await p.waitFor(
            'trading_orders_failed_total{reason="ERR_RISK_MAX_NOTIONAL"}',
            (r) => r.length > 0,
            'the denial',
          ),
        ),
      ).toBe(1);
      expect(sum(await p.query('trading_orders_total{strategy="dca-btc", side="BUY", type="MARKET"}'))).toBe(
        dcaOrders,
      );
      expect(dcaOrders).toBe(counts.total - 1);
      expect(num(await p.query('sum(trading_fills_total)'))).toBe(fills);
      // The simulated venue answers every order it is sent: one latency sample per submit.
      expect(num(await p.query('trading_order_latency_seconds_count'))).toBe(submitted);

      const portfolio = engine.node.portfolio;
      await p.waitFor('trading_ws_clients', (r) => num(r) === 2, 'the last scrape after the stop');
      expect(num(await p.query('trading_equity'))).toBe(portfolio.equity());
      const pos = portfolio.ledger.position('BTC/USDT');
      const mark = portfolio.lastPrice('BTC/USDT')!;
      expect(num(await p.query('trading_pnl_total'))).toBeCloseTo(
        toNumber(pos.realizedPnl) + toNumber(pos.qty) * mark - toNumber(pos.costBasis),
        6,
      );
      expect(num(await p.query('trading_exposure'))).toBeCloseTo(toNumber(pos.qty) * mark, 6);
      expect(num(await p.query('trading_positions_count'))).toBe(1);
      expect(num(await p.query('trading_strategies_running'))).toBe(1);
      expect(num(await p.query('trading_risk_state{state="ACTIVE"}'))).toBe(1);
      expect(num(await p.query('up{job="qts-engine"}'))).toBe(1);
      // No bar arrives any more: the lag Prometheus sees keeps growing with wall time.
      const lag = num(await p.query('trading_market_data_lag_seconds{symbol="BTC/USDT"}'));
      await p.waitFor(
        'trading_market_data_lag_seconds{symbol="BTC/USDT"}',
        (r) => num(r) > lag + 1,
        'the lag to grow',
      );
      expect(num(await p.query('trading_market_data_stale{symbol="BTC/USDT"}'))).toBe(0);
      expect(num(await p.query('process_resident_memory_bytes{job="qts-engine"}'))).toBeGreaterThan(
        10_000_000,
      );
    });

    it('fires QtsTradingHalted after the kill switch, with every alert rule evaluating cleanly on real data', async () => {
      const p = prom!;
      rt!.kill(false, 'metrics test', 'test');
      await p.waitFor('trading_risk_state{state="HALTED"}', (r) => num(r) === 1, 'HALTED scraped');
      const firing = await p.waitFor(
        'ALERTS{alertname="QtsTradingHalted", alertstate="firing"}',
        (r) => r.length === 1,
        'the halted alert to fire',
      );
      expect(firing[0]?.metric['severity']).toBe('critical');
      const rules = await p.api<{
        groups: { rules: { name: string; health: string; lastError?: string }[] }[];
      }>('/api/v1/rules');
      const all = rules.groups.flatMap((g) => g.rules);
      expect(all.length).toBe(16);
      expect(all.filter((r) => r.health !== 'ok')).toEqual([]);
      // The engine is up and nothing else is wrong: no other alert is firing.
      const others = await p.query('ALERTS{alertstate="firing", alertname!="QtsTradingHalted"}');
      expect(others.map((s) => s.metric['alertname'])).toEqual([]);
    });

    it('runs every panel query of the Grafana dashboard, and each returns data', async () => {
      const p = prom!;
      const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as unknown;
      const targets = dashboardTargets(dashboard);
      expect(targets.length).toBeGreaterThan(25);
      const instances = await p.api<string[]>(`/api/v1/label/instance/values?match[]=trading_engine_info`);
      expect(instances).toEqual([`127.0.0.1:${svc!.port}`]);
      const empty: string[] = [];
      for (const t of targets) {
        const result = await p.query(instantiate(t.expr, { instance: instances[0]! }));
        if (result.length === 0) empty.push(`${t.panel}: ${t.expr}`);
      }
      expect(empty).toEqual([]);
    });

    it('passes promtool check metrics, but for the two names the operations manual fixes', async () => {
      const text = await (await fetch(`http://127.0.0.1:${svc!.port}/metrics`)).text();
      const ours = withoutFamilies(text, await defaultFamilies());
      expect(ours).toContain('trading_orders_total{');
      expect(ours).not.toContain('nodejs_');
      // The manual names two gauges `trading_pnl_total` and `trading_positions_count`, which
      // promtool's lint reserves for counters and histograms; every other name is clean.
      const checked = promtool(['check', 'metrics'], { stdin: ours });
      expect(checked.status).toBe(3); // promtool's exit code for lint problems
      expect((checked.stdout + checked.stderr).trim().split('\n').sort()).toEqual([
        'trading_pnl_total non-counter metrics should not have "_total" suffix',
        'trading_positions_count non-histogram and non-summary metrics should not have "_count" suffix',
      ]);
      const rest = promtool(['check', 'metrics'], {
        stdin: withoutFamilies(ours, new Set(['trading_pnl_total', 'trading_positions_count'])),
      });
      expect(rest.stdout + rest.stderr).toBe('');
      expect(rest.status).toBe(0);
    });
  },
);
