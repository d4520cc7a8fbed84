import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promtool } from '../../support/prometheus.js';

/** The shipped Prometheus kit (rules, scrape config, rule unit tests). */
export const PROM_DIR = resolve('monitoring/prometheus');
/** Target labels every case's series carry, as Prometheus adds them at scrape. */
export const SERIES = 'job="qts-engine",instance="a:9091"';

/** One promtool unit test of one alert of the shipped alerts.yml at one evaluation time. */
export interface RuleCase {
  readonly series: readonly { readonly series: string; readonly values: string }[];
  readonly alertname: string;
  readonly evalTime: string;
  /** Expected firing alerts: labels beyond job/instance/severity, and the summary. */
  readonly firing: readonly { readonly labels: Record<string, string>; readonly summary: string }[];
  readonly severity: string;
  readonly description: string;
}

/** Runs one promtool unit test of alerts.yml; returns promtool's status and output. */
export function runRuleCase(c: RuleCase): { status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'qts-alert-fidelity-'));
  try {
    copyFileSync(join(PROM_DIR, 'alerts.yml'), join(dir, 'alerts.yml'));
    const q = (s: string): string => `'${s.replaceAll("'", "''")}'`;
    const lines = [
      'rule_files: [alerts.yml]',
      'evaluation_interval: 1m',
      'tests:',
      '  - interval: 1m',
      '    input_series:',
      ...c.series.flatMap((s) => [`      - series: ${q(s.series)}`, `        values: ${q(s.values)}`]),
      '    alert_rule_test:',
      `      - eval_time: ${c.evalTime}`,
      `        alertname: ${c.alertname}`,
      c.firing.length === 0 ? '        exp_alerts: []' : '        exp_alerts:',
      ...c.firing.flatMap((f) => [
        '          - exp_labels:',
        `              severity: ${c.severity}`,
        '              job: qts-engine',
        `              instance: 'a:9091'`,
        ...Object.entries(f.labels).map(([k, v]) => `              ${k}: ${q(v)}`),
        '            exp_annotations:',
        `              summary: ${q(f.summary)}`,
        `              description: ${q(c.description)}`,
      ]),
    ];
    writeFileSync(join(dir, 'case.test.yml'), lines.join('\n') + '\n');
    const r = promtool(['test', 'rules', 'case.test.yml'], { cwd: dir });
    return { status: r.status, output: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
