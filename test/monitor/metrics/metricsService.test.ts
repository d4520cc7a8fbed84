import { request } from 'node:http';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { EngineStatusSource } from '../../../src/api/EngineStatus.js';
import type { ServiceContext } from '../../../src/app/services/ServiceContext.js';
import { SERVICES } from '../../../src/app/services/index.js';
import {
  metricsPort,
  metricsService,
  startMetricsService,
} from '../../../src/app/services/metricsService.js';
import { AppConfigSchema } from '../../../src/config/configSchema.js';
import { loadConfig } from '../../../src/config/loadConfig.js';
import { isQtsError } from '../../../src/core/QtsError.js';
import { NULL_AUDIT } from '../../../src/monitor/AuditSink.js';
import { EMPTY_CONFIG } from '../../support/emptyConfig.js';

const status: EngineStatusSource = {
  status: () => {
    throw new Error('api mode metrics must not read engine status');
  },
  components: () => [],
};

function apiContext(metrics: Record<string, unknown>): ServiceContext {
  return {
    mode: 'api',
    config: AppConfigSchema.parse({ mode: 'api', metrics }),
    log: pino({ level: 'silent' }),
    audit: NULL_AUDIT,
    logTail: undefined,
    status,
    engine: undefined,
    now: () => Date.now(),
  };
}

/** A raw HTTP exchange, to see exactly what HEAD and a wrong method get back. */
function http(
  port: number,
  method: string,
  path: string,
): Promise<{ status: number; body: string; allow?: string }> {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port, method, path }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        const allow = res.headers['allow'];
        resolve({ status: res.statusCode ?? 0, body, ...(allow === undefined ? {} : { allow }) });
      });
    });
    r.on('error', reject);
    r.end();
  });
}

describe('metrics service', () => {
  it('is registered as a side service and reads its settings from the config, by mode', () => {
    expect(SERVICES).toContain(metricsService);
    const empty = AppConfigSchema.parse({});
    expect(empty.metrics).toEqual({ enabled: true, host: '127.0.0.1' });
    expect(empty.api.port).toBeUndefined();
    expect(metricsPort(empty, 'shadow')).toBe(9091);
    expect(metricsPort(empty, 'live')).toBe(9092);
    expect(metricsPort(empty, 'api')).toBe(9094);
    expect(metricsPort(AppConfigSchema.parse({ metrics: { port: 9200 } }), 'live')).toBe(9200);
    // An engine whose API takes any free port (tests) gets a free metrics port too.
    expect(metricsPort(AppConfigSchema.parse({ api: { port: 0 } }), 'shadow')).toBe(0);
    expect(metricsPort(AppConfigSchema.parse({ api: { port: 0 }, metrics: { port: 9201 } }), 'shadow')).toBe(
      9201,
    );
    const fromEnv = loadConfig({
      file: undefined,
      strategiesDir: '/nonexistent',
      env: {
        QTS_CONFIG: EMPTY_CONFIG,
        METRICS_PORT: '9300',
        METRICS_ENABLED: 'false',
        METRICS_HOST: '0.0.0.0',
      },
    });
    expect(fromEnv.metrics).toEqual({ enabled: false, host: '0.0.0.0', port: 9300 });
    expect(() => AppConfigSchema.parse({ metrics: { port: 70_000 } })).toThrow();
  });

  it('starts nothing when disabled', async () => {
    expect(await startMetricsService(apiContext({ enabled: false, port: 0 }))).toBeUndefined();
  });

  it('serves process and HTTP metrics in api mode on the bound port, answers 404/405, and stops', async () => {
    const svc = await startMetricsService(apiContext({ port: 0 }));
    if (svc === undefined) throw new Error('service did not start');
    try {
      expect(svc.port).toBeGreaterThan(0);
      expect(svc.health?.()).toEqual({
        name: 'metrics',
        ready: true,
        detail: `http://127.0.0.1:${svc.port}/metrics`,
      });
      const res = await fetch(`http://127.0.0.1:${svc.port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      expect(text).toContain('process_resident_memory_bytes');
      expect(text).toContain('trading_engine_info{mode="api"} 1');
      expect(text).not.toMatch(/^trading_(orders|equity|pnl|risk)/m);
      const head = await http(svc.port, 'HEAD', '/metrics');
      expect(head.status).toBe(200);
      expect(head.body).toBe('');
      expect((await http(svc.port, 'GET', '/')).status).toBe(404);
      const post = await http(svc.port, 'POST', '/metrics');
      expect(post.status).toBe(405);
      expect(post.allow).toBe('GET, HEAD');
    } finally {
      await svc.stop();
    }
    await expect(fetch(`http://127.0.0.1:${svc.port}/metrics`)).rejects.toThrow();
  });

  it('fails with a coded error when its port is taken', async () => {
    const first = await startMetricsService(apiContext({ port: 0 }));
    if (first === undefined) throw new Error('service did not start');
    try {
      const err = await startMetricsService(apiContext({ port: first.port })).catch((e: unknown) => e);
      expect(isQtsError(err, 'ERR_METRICS_LISTEN')).toBe(true);
      expect((err as Error).message).toContain(`127.0.0.1:${first.port}`);
    } finally {
      await first.stop();
    }
  });
});
