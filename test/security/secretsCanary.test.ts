import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The canary test: plant recognisable secrets everywhere a secret can come from (API token
 * in the config file, exchange keys, MASTER_KEY, JWT secret, Telegram bot token, SMTP
 * password in `.env`), run a real shadow session through the real entry point as a child
 * process, make it fail in the ways users and attackers make it fail, stop it, and grep
 * every output — stdout, stderr, every file under the logs folder (audit included), every
 * HTTP response (metrics included) and the database the API reads back — for each canary.
 * None may appear.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const QTS = join(ROOT, 'bin', 'qts.js');

const CANARY = {
  apiToken: 'CANARYapiTOKEN0a1b2c3d4e5f',
  masterKey: 'CANARYmasterKEY9z8y7x6w5v4u3t',
  exchangeKey: 'CANARYexchangeKEYq1w2e3r4',
  exchangeSecret: 'CANARYexchangeSECRETt5y6u7',
  exchangePassword: 'CANARYexchangePASSi8o9p0',
  jwtSecret: 'CANARYjwtSECRETabcdefghijklmnopqrstuvwxyz012345',
  telegramToken: '987654321:CANARYtelegramTOKENxyz_-abc',
  smtpPass: 'CANARYsmtpPASSmnbvcxz',
} as const;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

async function until<T>(get: () => T | undefined, what: string, ms = 90_000): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Exchange {
  readonly what: string;
  readonly status: number;
  readonly text: string;
}

describe('secrets never leak (canary)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qts-canary-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child?.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a shadow session with bad requests, a failing notifier and a stop leaks no canary anywhere', async () => {
    // A Telegram stand-in that fails every call and echoes what it was sent, as a hostile
    // or broken upstream would: the notifier's error handling must not pass it on.
    const telegram = createServer((req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, description: `cannot serve ${req.url ?? ''}` }));
    });
    await new Promise<void>((r) => telegram.listen(0, '127.0.0.1', r));
    const telegramPort = (telegram.address() as AddressInfo).port;

    mkdirSync(join(dir, 'config', 'strategies'), { recursive: true });
    writeFileSync(
      join(dir, 'config', 'qts.json'),
      JSON.stringify({
        marketData: { source: 'synthetic', replayBarsPerSecond: 100 },
        api: { host: '127.0.0.1', port: 0, tokens: [{ name: 'ops', role: 'admin', token: CANARY.apiToken }] },
        metrics: { host: '127.0.0.1', port: 0 },
        push: { port: 0 },
        risk: { staleDataMs: 600_000, maxOrdersPerMinute: 1_000_000, maxDrawdownPct: 0.0001 },
      }),
    );
    writeFileSync(
      join(dir, 'config', 'strategies', 'sma.json'),
      JSON.stringify({
        id: 'sma-canary',
        strategy: 'sma-cross',
        symbols: ['BTC/USDT'],
        timeframe: '1m',
        params: { fast: 2, slow: 3 },
        sizing: 'percent:10',
      }),
    );
    writeFileSync(
      join(dir, '.env'),
      [
        'LOG_FORMAT=json',
        'LOG_LEVEL=trace',
        `MASTER_KEY=${CANARY.masterKey}`,
        `EXCHANGE_API_KEY=${CANARY.exchangeKey}`,
        `EXCHANGE_API_SECRET=${CANARY.exchangeSecret}`,
        `EXCHANGE_API_PASSWORD=${CANARY.exchangePassword}`,
        `JWT_SECRET=${CANARY.jwtSecret}`,
        `TELEGRAM_BOT_TOKEN=${CANARY.telegramToken}`,
        'TELEGRAM_CHAT_ID=42',
        `TELEGRAM_API_BASE=http://127.0.0.1:${telegramPort}`,
        'SMTP_HOST=127.0.0.1',
        // A closed port: every email fails to connect.
        'SMTP_PORT=1',
        'SMTP_USER=ops',
        `SMTP_PASS=${CANARY.smtpPass}`,
        'SMTP_FROM=qts@example.test',
        'SMTP_TO=ops@example.test',
        '',
      ].join('\n'),
    );

    const env = { ...process.env };
    for (const k of Object.keys(env))
      if (/^(LOG_|AUDIT_|API_|TRADING_MODE|QTS_|DB_PATH|METRICS_|MARKET_DATA)/.test(k)) delete env[k];
    let stdout = '';
    let stderr = '';
    const proc = spawn(process.execPath, [QTS, 'shadow'], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    proc.stdout?.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    proc.stderr?.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));

    const apiBase = await until(() => {
      if (proc.exitCode !== null) throw new Error(`engine exited ${proc.exitCode}: ${stderr}\n${stdout}`);
      return /http:\/\/127\.0\.0\.1:(\d+)\/api\//.exec(stdout)?.[1];
    }, 'the API to listen').then((port) => `http://127.0.0.1:${port}`);

    const responses: Exchange[] = [];
    const call = async (what: string, path: string, init: RequestInit = {}): Promise<Exchange> => {
      const res = await fetch(`${apiBase}${path}`, init);
      const headers = [...res.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n');
      const r = { what, status: res.status, text: `${headers}\n\n${await res.text()}` };
      responses.push(r);
      return r;
    };
    const auth = { authorization: `Bearer ${CANARY.apiToken}` };

    // Let it trade until the first fill trips the (tiny) drawdown breaker: orders, fills, an
    // error-level TRADING HALTED line and failing risk/fill notifications all exist then.
    const auditText = (): string => {
      try {
        const d = join(dir, 'logs', 'app', 'audit');
        return readdirSync(d)
          .filter((n) => n.endsWith('.jsonl'))
          .map((n) => readFileSync(join(d, n), 'utf8'))
          .join('');
      } catch {
        return '';
      }
    };
    await until(() => {
      const t = auditText();
      return t.includes('"order.filled"') && t.includes('"risk.breaker_tripped"') ? true : undefined;
    }, 'a fill and the drawdown breaker in the audit trail');

    expect((await call('status with the right token', '/api/v1/status', { headers: auth })).status).toBe(200);
    const wrong = await call('a wrong token that contains a canary', '/api/v1/status', {
      headers: { authorization: `Bearer x${CANARY.apiToken}x${CANARY.masterKey}` },
    });
    expect(wrong.status).toBe(401);
    const missing = await call(
      'an unknown route with canaries in the path and query',
      `/api/v1/${CANARY.apiToken}?k=${CANARY.exchangeSecret}`,
      {
        headers: auth,
      },
    );
    expect(missing.status).toBe(404);
    const malformed = await call('malformed JSON quoting a canary', '/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"name":"ops","token":"${CANARY.apiToken}",,`,
    });
    expect(malformed.status).toBeGreaterThanOrEqual(400);
    expect(malformed.status).toBeLessThan(500);
    const badLogin = await call('a failed login with a canary as the token', '/api/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ops', token: `${CANARY.apiToken}-nope-${CANARY.jwtSecret}` }),
    });
    expect(badLogin.status).toBeGreaterThanOrEqual(400);
    expect(badLogin.status).toBeLessThan(500);
    const login = await call(
      'a good login (returns a session token, which is no canary)',
      '/api/v1/auth/login',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'ops', token: CANARY.apiToken }),
      },
    );
    expect(login.status).toBe(200);
    await call('the audit log through the API', '/api/v1/audit?limit=1000', { headers: auth });
    await call('the readiness details', '/api/v1/health/ready');

    const metricsPort = /http:\/\/127\.0\.0\.1:(\d+)\/metrics/.exec(stdout)?.[1];
    expect(metricsPort, 'the metrics service announces its port').toBeDefined();
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    responses.push({ what: '/metrics', status: metrics.status, text: await metrics.text() });
    expect(metrics.status).toBe(200);

    proc.kill('SIGTERM');
    const code = await exited;
    telegram.close();
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('stopped cleanly');

    const logFiles = filesUnder(join(dir, 'logs'));
    expect(logFiles.some((f) => /trading-\d{4}-\d{2}-\d{2}\.log$/.test(f))).toBe(true);
    expect(logFiles.some((f) => /error-\d{4}-\d{2}-\d{2}\.log$/.test(f))).toBe(true);
    expect(logFiles.some((f) => /audit-\d{4}-\d{2}-\d{2}\.jsonl$/.test(f))).toBe(true);
    const outputs: [string, string][] = [
      ['stdout', stdout],
      ['stderr', stderr],
      ...logFiles.map((f): [string, string] => [f.slice(dir.length + 1), readFileSync(f, 'utf8')]),
      ...responses.map((r): [string, string] => [`HTTP ${r.what} (${r.status})`, r.text]),
      // The database is read back by the API (runs keep their configuration): no secrets in it either.
      ...filesUnder(join(dir, 'data')).map((f): [string, string] => [
        f.slice(dir.length + 1),
        readFileSync(f, 'latin1'),
      ]),
    ];
    // The session really went through the paths under test.
    const all = outputs.map(([, t]) => t).join('\n');
    expect(all).toContain('config.loaded');
    expect(all).toContain('[REDACTED]');

    const leaks: string[] = [];
    for (const [where, text] of outputs)
      for (const [name, value] of Object.entries(CANARY)) {
        const forms = [value, encodeURIComponent(value), Buffer.from(value).toString('base64')];
        if (forms.some((f) => text.includes(f))) leaks.push(`${name} in ${where}`);
      }
    expect(leaks).toEqual([]);
  });
  it('npm start with a config file that does not parse fails with a coded error and quotes no secret', async () => {
    const cwd = join(dir, 'broken');
    mkdirSync(join(cwd, 'config'), { recursive: true });
    // The syntax error sits right after the token: V8's message would quote its tail.
    writeFileSync(
      join(cwd, 'config', 'qts.json'),
      `{ "api": { "tokens": [{ "name": "ops", "role": "admin", "token": "${CANARY.apiToken}" },, ] } }`,
    );
    writeFileSync(join(cwd, '.env'), `MASTER_KEY=${CANARY.masterKey}\n`);
    const env = { ...process.env };
    for (const k of Object.keys(env))
      if (/^(LOG_|AUDIT_|API_|TRADING_MODE|QTS_|DB_PATH)/.test(k)) delete env[k];
    const tsx = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn(process.execPath, ['--import', tsx, join(ROOT, 'src', 'index.ts')], {
        cwd,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      p.stdout?.on('data', (b: Buffer) => (out += b.toString('utf8')));
      p.stderr?.on('data', (b: Buffer) => (out += b.toString('utf8')));
      p.on('exit', (code) => resolve({ code, out }));
    });
    expect(r.code).toBe(2);
    expect(r.out).toContain('ERR_CONFIG_FILE');
    expect(r.out).toContain('config/qts.json: not valid JSON');
    for (const value of Object.values(CANARY)) {
      expect(r.out).not.toContain(value);
      // Not even the tail a parser error message would quote.
      expect(r.out).not.toContain(value.slice(-8));
    }
  });
});
