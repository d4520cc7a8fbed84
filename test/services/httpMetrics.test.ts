import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app/startApp.js';
import { startApp } from '../../src/app/startApp.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import { client, until } from '../app/support/http.js';
import { freePort } from '../support/prometheus.js';

const TOKEN = 'http-metrics-admin-0123456789';

async function config(mode: 'shadow' | 'api') {
  const dir = mkdtempSync(join(tmpdir(), `qts-http-metrics-${mode}-`));
  return AppConfigSchema.parse({
    mode,
    marketData: { source: 'synthetic', replayBarsPerSecond: 20 },
    strategies:
      mode === 'shadow'
        ? [{ id: 'sma', strategy: 'sma-cross', symbols: ['BTC/USDT'], timeframe: '1m', params: {} }]
        : [],
    storage: { dbPath: join(dir, 'trading.db') },
    api: { host: '127.0.0.1', port: 0, tokens: [{ name: 'ops', role: 'admin', token: TOKEN }] },
    metrics: { port: await freePort() },
    push: { enabled: false },
    dashboard: { enabled: false },
    audit: { enabled: false },
    log: { files: false },
  });
}

/** The value of one sample line of the exposition, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inner = line.slice(name.length + 1, line.indexOf('}'));
    const have = inner.split(',');
    if (want.every((w) => have.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/**
 * The REST server of every mode reports its requests to the metrics service — wired by the
 * composition root (startApp), not by the test: counter by method, route pattern and status,
 * and a duration histogram, both on the metrics port.
 */
describe.each(['shadow', 'api'] as const)(
  'HTTP request metrics of a %s engine started by startApp',
  (mode) => {
    it('counts answered requests by route pattern and status, and times them', async () => {
      const cfg = await config(mode);
      const app: RunningApp = await startApp(cfg, { log: pino({ level: 'silent' }) });
      try {
        const call = client(`http://127.0.0.1:${app.port}`);
        const scrape = async (): Promise<string> =>
          (await fetch(`http://127.0.0.1:${cfg.metrics.port}/metrics`)).text();
        const before = await scrape();
        expect(before).toContain('# TYPE trading_http_requests_total counter');
        expect(before).toContain('# TYPE trading_http_request_duration_seconds histogram');

        for (let i = 0; i < 3; i++)
          expect((await call('GET', '/api/v1/status', { token: TOKEN })).status).toBe(200);
        expect((await call('GET', '/api/v1/status')).status).toBe(401);
        expect((await call('GET', '/api/v1/orders/Q999', { token: TOKEN })).status).toBe(404);
        expect((await call('GET', '/no/such/route/x1', { token: TOKEN })).status).toBe(404);
        expect((await call('GET', '/no/such/route/x2', { token: TOKEN })).status).toBe(404);

        // The hook runs after the reply is sent: wait for the counter rather than sleep.
        let text = '';
        await until(async () => {
          text = await scrape();
          return sample(text, 'trading_http_requests_total', { route: 'unmatched', status: '404' }) === 2;
        }, 'the request counter');
        const status = { method: 'GET', route: '/api/v1/status' };
        expect(sample(text, 'trading_http_requests_total', { ...status, status: '200' })).toBe(3);
        expect(sample(text, 'trading_http_requests_total', { ...status, status: '401' })).toBe(1);
        // One series per route pattern, not per order id or random URL.
        expect(
          sample(text, 'trading_http_requests_total', { route: '/api/v1/orders/:id', status: '404' }),
        ).toBe(1);
        expect(text).not.toContain('Q999');
        expect(text).not.toContain('x1');
        expect(sample(text, 'trading_http_request_duration_seconds_count', status)).toBe(4);
        expect(sample(text, 'trading_http_request_duration_seconds_bucket', { ...status, le: '+Inf' })).toBe(
          4,
        );
        expect(sample(text, 'trading_http_request_duration_seconds_sum', status)).toBeGreaterThan(0);
        expect(text).toContain(`trading_engine_info{mode="${mode}"} 1`);
      } finally {
        await app.stop();
      }
    });
  },
);
