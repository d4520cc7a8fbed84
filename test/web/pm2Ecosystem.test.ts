import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../app/support/http.js';
import { EMPTY_CONFIG } from '../support/emptyConfig.js';

interface Pm2App {
  name: string;
  script: string;
  cwd: string;
  interpreter: string;
  node_args: string;
  exec_mode: string;
  instances: number;
  kill_timeout: number;
  env: Record<string, string>;
}

const ROOT = resolve('.');
const ecosystem = createRequire(import.meta.url)(join(ROOT, 'ecosystem.config.cjs')) as { apps: Pm2App[] };
const app = (name: string): Pm2App => {
  const a = ecosystem.apps.find((x) => x.name === name);
  if (a === undefined) throw new Error(`no PM2 app ${name}`);
  return a;
};

/** A process started the way PM2 starts `app`, with its stdout collected. */
function startAsPm2(a: Pm2App, buildRoot: string, env: Record<string, string>) {
  const out = { text: '' };
  const child = spawn(process.execPath, [...a.node_args.split(' '), join(buildRoot, a.script)], {
    cwd: env.CWD ?? a.cwd,
    env: { PATH: process.env.PATH ?? '', ...a.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out.text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out.text += d.toString()));
  return { child, out };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.once('exit', (code) => r(code)));
}

/**
 * The PM2 ecosystem names the processes of the operations manual and points each at a file
 * that `npm run build` really writes. The build runs here (tsc of tsconfig.build.json, into a
 * git-ignored folder inside the project so the built files find node_modules), and each
 * process is started the way PM2 would start it: the engine answers, the dashboard serves the
 * app and forwards the API to it, and SIGINT stops both cleanly within their kill_timeout.
 */
describe('PM2 ecosystem (ecosystem.config.cjs)', () => {
  const buildRoot = join(ROOT, 'scratch', `pm2-build-${process.pid}`);
  const work = mkdtempSync(join(tmpdir(), 'qts-pm2-'));
  const running: ChildProcess[] = [];

  beforeAll(() => {
    const outDir = (
      JSON.parse(readFileSync('tsconfig.build.json', 'utf8')) as { compilerOptions: { outDir: string } }
    ).compilerOptions.outDir;
    // What `npm run build` writes: tsconfig.build.json's outDir is the dist/ the ecosystem names.
    expect(outDir).toBe('dist');
    const tsc = spawnSync(
      process.execPath,
      [
        join(ROOT, 'node_modules/typescript/bin/tsc'),
        '-p',
        'tsconfig.build.json',
        '--outDir',
        join(buildRoot, 'dist'),
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 240_000 },
    );
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
  }, 300_000);

  afterAll(async () => {
    for (const c of running) if (c.exitCode === null) c.kill('SIGKILL');
    await Promise.all(running.map(exited));
    rmSync(buildRoot, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('names trading-engine and web-dashboard, one forked instance each, from this folder', () => {
    expect(ecosystem.apps.map((a) => a.name)).toEqual(['trading-engine', 'web-dashboard']);
    for (const a of ecosystem.apps) {
      expect(a.cwd).toBe(ROOT);
      // One engine per database: never PM2's cluster mode.
      expect(a.exec_mode).toBe('fork');
      expect(a.instances).toBe(1);
      expect(a.kill_timeout).toBeGreaterThanOrEqual(5_000);
    }
    expect(app('trading-engine').script).toBe('dist/index.js');
    expect(app('web-dashboard').script).toBe('dist/monitor/dashboard/index.js');
    // Each script is the compiled form of an entry in src/.
    for (const a of ecosystem.apps) {
      expect(existsSync(join(ROOT, a.script.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts')))).toBe(true);
      expect(existsSync(join(buildRoot, a.script)), `${a.script} after the build`).toBe(true);
    }
  });

  it('starts both built entries as PM2 would: engine API, dashboard in front of it, logs on stdout, clean stop on SIGINT', async () => {
    const strategies = join(work, 'strategies');
    mkdirSync(strategies);
    writeFileSync(
      join(strategies, 'sma.json'),
      JSON.stringify({
        id: 'sma',
        strategy: 'sma-cross',
        symbols: ['BTC/USDT'],
        timeframe: '1m',
        params: {},
      }),
    );
    const engine = startAsPm2(app('trading-engine'), buildRoot, {
      CWD: work,
      QTS_CONFIG: EMPTY_CONFIG,
      QTS_STRATEGIES_DIR: strategies,
      MARKET_DATA_SOURCE: 'synthetic',
      API_PORT: '0',
      METRICS_PORT: '0',
      PUSH_ENABLED: 'false',
      DB_PATH: join(work, 'trading.db'),
      LOG_DIR: join(work, 'logs'),
      AUDIT_DIR: join(work, 'audit'),
    });
    running.push(engine.child);
    let apiUrl = '';
    await until(() => {
      apiUrl = /API on (http:\/\/127\.0\.0\.1:\d+)/.exec(engine.out.text)?.[1] ?? '';
      return apiUrl !== '' || engine.child.exitCode !== null;
    }, 'the engine to listen');
    expect(apiUrl, engine.out.text).not.toBe('');
    // LOG_FORMAT=json from the ecosystem: one JSON object per stdout line, for PM2's log files.
    const first = engine.out.text.split('\n').find((l) => l.includes('API on'));
    expect(JSON.parse(first ?? '')).toMatchObject({ level: 30 });
    expect((await fetch(`${apiUrl}/api/v1/health`)).status).toBe(200);

    const web = join(work, 'web');
    mkdirSync(web);
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>qts pm2 check</title>');
    const dash = startAsPm2(app('web-dashboard'), buildRoot, {
      CWD: work,
      QTS_CONFIG: EMPTY_CONFIG,
      QTS_STRATEGIES_DIR: strategies,
      DASHBOARD_PORT: '0',
      DASHBOARD_DIR: web,
      DASHBOARD_API_URL: apiUrl,
    });
    running.push(dash.child);
    let dashUrl = '';
    await until(() => {
      dashUrl = /web dashboard on (http:\/\/127\.0\.0\.1:\d+)\//.exec(dash.out.text)?.[1] ?? '';
      return dashUrl !== '' || dash.child.exitCode !== null;
    }, 'the dashboard to listen');
    expect(dashUrl, dash.out.text).not.toBe('');
    expect(await (await fetch(`${dashUrl}/`)).text()).toContain('qts pm2 check');
    const health = await fetch(`${dashUrl}/api/v1/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });

    for (const { child, name } of [
      { child: dash.child, name: 'web-dashboard' },
      { child: engine.child, name: 'trading-engine' },
    ]) {
      const started = performance.now();
      child.kill('SIGINT');
      expect(await exited(child)).toBe(0);
      expect(performance.now() - started).toBeLessThan(app(name).kill_timeout);
    }
    expect(engine.out.text).toContain('stopped cleanly');
  });
});
