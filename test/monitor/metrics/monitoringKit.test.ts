import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_METRICS_PORTS } from '../../../src/config/configSchema.js';
import { TradingMetrics } from '../../../src/monitor/metrics/TradingMetrics.js';
import { PROMETHEUS_MISSING, promtool } from '../../support/prometheus.js';
import { dashboardTargets } from './dashboard.js';

const PROM_DIR = resolve('monitoring/prometheus');
const read = (path: string): string => readFileSync(resolve(path), 'utf8');

/** Metric names a PromQL expression or rule file selects (our prefixes and `up`). */
function metricNames(promql: string): string[] {
  return [...promql.matchAll(/\b((?:trading|nodejs|process)_[a-z0-9_]+|up)\b(?=\s*[{[)\s]|$)/g)].map(
    (m) => m[1]!,
  );
}

/** Every series name our registry can expose: families plus histogram suffixes. */
async function exposedNames(): Promise<Set<string>> {
  const m = new TradingMetrics();
  const names = new Set<string>(['up']);
  for (const f of await m.registry.getMetricsAsJSON()) {
    names.add(f.name);
    if (String(f.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(f.name + s);
  }
  m.clear();
  return names;
}

interface GridPanel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: { refId: string; expr: string; datasource?: { uid: string } }[];
}

describe.skipIf(PROMETHEUS_MISSING !== '')(`monitoring kit checked by promtool${PROMETHEUS_MISSING}`, () => {
  it('prometheus.yml is a valid configuration with its rule file', () => {
    const r = promtool(['check', 'config', 'prometheus.yml'], { cwd: PROM_DIR });
    expect(r.stdout + r.stderr).toContain('SUCCESS: 1 rule files found');
    expect(r.status).toBe(0);
  });

  it('alerts.yml passes promtool check rules', () => {
    const r = promtool(['check', 'rules', 'alerts.yml'], { cwd: PROM_DIR });
    expect(r.stdout + r.stderr).toContain('SUCCESS: 16 rules found');
    expect(r.status).toBe(0);
  });

  it('the alert unit tests pass (promtool test rules alerts.test.yml)', () => {
    const r = promtool(['test', 'rules', 'alerts.test.yml'], { cwd: PROM_DIR });
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('the unit tests can fail: a halted alert that waits 5 minutes is caught', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-rules-'));
    try {
      const rules = read('monitoring/prometheus/alerts.yml').replace(
        'expr: trading_risk_state{state="HALTED"} == 1\n        labels:',
        'expr: trading_risk_state{state="HALTED"} == 1\n        for: 5m\n        labels:',
      );
      expect(rules).toContain('== 1\n        for: 5m\n        labels:\n          severity: critical');
      writeFileSync(join(dir, 'alerts.yml'), rules);
      copyFileSync(join(PROM_DIR, 'alerts.test.yml'), join(dir, 'alerts.test.yml'));
      const r = promtool(['test', 'rules', 'alerts.test.yml'], { cwd: dir });
      expect(r.status).not.toBe(0);
      expect(r.stdout + r.stderr).toContain('alertname: QtsTradingHalted');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the unit tests can fail: a liquidation rule blind to a counter born at its first liquidation is caught', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-rules-'));
    try {
      const newborn =
        '\n          or\n          (trading_liquidations_total unless trading_liquidations_total offset 15m) > 0';
      const original = read('monitoring/prometheus/alerts.yml');
      expect(original).toContain(newborn);
      writeFileSync(join(dir, 'alerts.yml'), original.replace(newborn, ''));
      copyFileSync(join(PROM_DIR, 'alerts.test.yml'), join(dir, 'alerts.test.yml'));
      const r = promtool(['test', 'rules', 'alerts.test.yml'], { cwd: dir });
      expect(r.status).not.toBe(0);
      expect(r.stdout + r.stderr).toContain('alertname: QtsPositionLiquidated');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Grafana dashboard and provisioning', () => {
  const dashboard = JSON.parse(read('monitoring/grafana/dashboards/trading.json')) as {
    uid: string;
    title: string;
    schemaVersion: number;
    templating: { list: { name: string; type: string }[] };
    panels: GridPanel[];
  };

  it('is a well-formed dashboard: unique ids, panels on a 24-column grid without overlap, one datasource variable', () => {
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(dashboard.title.length).toBeGreaterThan(0);
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.templating.list.map((v) => `${v.name}:${v.type}`)).toEqual([
      'datasource:datasource',
      'instance:query',
    ]);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Map<string, string>();
    for (const p of dashboard.panels) {
      const g = p.gridPos;
      expect(g.x >= 0 && g.w > 0 && g.x + g.w <= 24 && g.h > 0 && g.y >= 0, `${p.title} grid`).toBe(true);
      for (let x = g.x; x < g.x + g.w; x++)
        for (let y = g.y; y < g.y + g.h; y++) {
          const at = `${x},${y}`;
          expect(cells.get(at), `${p.title} overlaps ${cells.get(at)}`).toBeUndefined();
          cells.set(at, p.title);
        }
      expect(['row', 'stat', 'timeseries']).toContain(p.type);
      if (p.type === 'row') continue;
      expect(p.datasource?.uid, p.title).toBe('${datasource}');
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      const refIds = (p.targets ?? []).map((t) => t.refId);
      expect(new Set(refIds).size, p.title).toBe(refIds.length);
    }
  });

  it('queries only metrics the engine exposes, and covers every trading metric', async () => {
    const exposed = await exposedNames();
    const used = new Set(dashboardTargets(dashboard).flatMap((t) => metricNames(t.expr)));
    expect([...used].filter((n) => !exposed.has(n))).toEqual([]);
    const tradingFamilies = [...exposed].filter(
      (n) => n.startsWith('trading_') && !/_(bucket|sum|count)$/.test(n) && n !== 'trading_engine_info',
    );
    const covered = (n: string): boolean => used.has(n) || used.has(`${n}_bucket`);
    expect(tradingFamilies.filter((n) => !covered(n))).toEqual([]);
    // trading_positions_count is a gauge whose name ends in _count: it is in the list above.
    expect(used.has('trading_positions_count')).toBe(true);
  });

  it('alert rules select only metrics the engine exposes', async () => {
    const exposed = await exposedNames();
    const rules = read('monitoring/prometheus/alerts.yml');
    const exprs = [...rules.matchAll(/expr: (\|\n(?:\s{10}.*\n)+|.*)/g)].map((m) => m[1]!);
    expect(exprs.length).toBe(16);
    const used = new Set(exprs.flatMap(metricNames));
    expect([...used].filter((n) => !exposed.has(n))).toEqual([]);
  });

  it('provisions the dashboard folder and a Prometheus datasource', () => {
    const dashboards = read('monitoring/grafana/provisioning/dashboards/qts.yml');
    expect(dashboards).toMatch(/^apiVersion: 1$/m);
    expect(dashboards).toMatch(/^\s+type: file$/m);
    expect(dashboards).toMatch(/^\s+path: \/\S+$/m);
    const datasources = read('monitoring/grafana/provisioning/datasources/prometheus.yml');
    expect(datasources).toMatch(/^apiVersion: 1$/m);
    expect(datasources).toMatch(/^\s+type: prometheus$/m);
    expect(datasources).toMatch(/^\s+url: http:\/\/\S+:9090$/m);
  });
});

describe('scrape config', () => {
  it('scrapes every mode on its default metrics port, labelled engine=<mode>, as the docs say', () => {
    // The qts-engine job's static targets: `- targets: ['host:port']` then `engine: <mode>`.
    const config = read('monitoring/prometheus/prometheus.yml');
    const job = /- job_name: qts-engine\n([\s\S]*?)(?=\n {2}- job_name:|$)/.exec(config)?.[1] ?? '';
    const targets = [...job.matchAll(/- targets: \['[^':]+:(\d+)'\]\n\s+labels:\n\s+engine: (\w+)/g)].map(
      (m) => [m[2]!, Number(m[1])] as const,
    );
    expect(Object.fromEntries(targets)).toEqual(DEFAULT_METRICS_PORTS);
    expect(targets.length).toBe(Object.keys(DEFAULT_METRICS_PORTS).length);
    // The api server trades nothing: its being down must not be the critical QtsEngineDown.
    const rules = read('monitoring/prometheus/alerts.yml');
    expect(rules).toContain('expr: up{job="qts-engine", engine!="api"} == 0');
    expect(rules).toContain('expr: up{job="qts-engine", engine="api"} == 0');
    const row = read('docs/monitoring.md')
      .split('\n')
      .find((l) => l.startsWith('| `monitoring/prometheus/prometheus.yml`'));
    for (const [mode, port] of targets) expect(row, mode).toContain(`${port} (${mode})`);
  });
});
