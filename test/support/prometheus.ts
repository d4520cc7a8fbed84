import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Absolute path of an executable on PATH, or undefined. */
export function findBinary(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const p = join(dir, name);
    if (dir !== '' && existsSync(p)) return p;
  }
  return undefined;
}

export const PROMETHEUS_BIN = findBinary('prometheus');
export const PROMTOOL_BIN = findBinary('promtool');
/** Why a suite needing Prometheus is skipped (shown in the suite name), or '' when it can run. */
export const PROMETHEUS_MISSING =
  PROMETHEUS_BIN === undefined || PROMTOOL_BIN === undefined
    ? ' [SKIPPED: prometheus/promtool not installed — apt-get install prometheus]'
    : '';

/** Runs promtool; stdin is piped in when given. */
export function promtool(
  args: readonly string[],
  opts: { stdin?: string; cwd?: string } = {},
): { status: number | null; stdout: string; stderr: string } {
  if (PROMTOOL_BIN === undefined) throw new Error('promtool is not installed');
  const r = spawnSync(PROMTOOL_BIN, args, {
    encoding: 'utf8',
    input: opts.stdin,
    cwd: opts.cwd,
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A free loopback port (bound and released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** One sample of an instant vector. */
export interface PromSample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

/** A Prometheus server started for a test, scraping the given targets every second. */
export interface RunningPrometheus {
  readonly port: number;
  readonly url: string;
  /** Instant query; throws with Prometheus's error text when the query fails. */
  query(expr: string): Promise<PromSample[]>;
  /** Polls `expr` until `accept` holds for its result (no fixed sleeps). */
  waitFor(
    expr: string,
    accept: (r: PromSample[]) => boolean,
    what: string,
    ms?: number,
  ): Promise<PromSample[]>;
  /** GET of an API path (e.g. /api/v1/rules), parsed. */
  api<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

export interface StartPrometheusOptions {
  /** host:port of each target of the job. */
  readonly targets: readonly string[];
  /** Job name of the targets (dashboards and rules select on it). */
  readonly job?: string;
  /** Absolute paths of rule files to load. */
  readonly ruleFiles?: readonly string[];
}

/**
 * Starts `prometheus` on a free loopback port with a temporary config and TSDB, scraping
 * `targets` every second, and waits until it is ready. The process is killed by its PID
 * in `stop()` and its folder removed.
 */
export async function startPrometheus(opts: StartPrometheusOptions): Promise<RunningPrometheus> {
  if (PROMETHEUS_BIN === undefined) throw new Error('prometheus is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'qts-prom-'));
  const port = await freePort();
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    ...(opts.ruleFiles && opts.ruleFiles.length > 0
      ? ['rule_files:', ...opts.ruleFiles.map((f) => `  - ${JSON.stringify(f)}`)]
      : []),
    'scrape_configs:',
    `  - job_name: ${JSON.stringify(opts.job ?? 'qts-engine')}`,
    '    static_configs:',
    `      - targets: [${opts.targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    '',
  ].join('\n');
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, config);
  let output = '';
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.pid !== undefined) {
      process.kill(child.pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      }, 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`);
    const body = (await res.json()) as { status: string; data: T; error?: string; errorType?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.errorType}: ${body.error}`);
    return body.data;
  };
  const query = async (expr: string): Promise<PromSample[]> => {
    const data = await api<{ resultType: string; result: PromSample[] }>(
      `/api/v1/query?query=${encodeURIComponent(expr)}`,
    );
    if (data.resultType !== 'vector') throw new Error(`${expr}: expected a vector, got ${data.resultType}`);
    return data.result;
  };
  const waitFor = async (
    expr: string,
    accept: (r: PromSample[]) => boolean,
    what: string,
    ms = 30_000,
  ): Promise<PromSample[]> => {
    const deadline = performance.now() + ms;
    let last: PromSample[] = [];
    for (;;) {
      last = await query(expr);
      if (accept(last)) return last;
      if (performance.now() > deadline)
        throw new Error(`timed out waiting for ${what} (${expr}); last result ${JSON.stringify(last)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  // Ready when /-/ready answers 200; a process that exits early fails with its output.
  const deadline = performance.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`prometheus exited with ${child.exitCode}: ${output}`);
    }
    const ok = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (performance.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready after 30 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, url, query, waitFor, api, stop };
}
