import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { authenticatorFor } from '../../src/api/auth/authenticatorFor.js';
import { TrustedProxies } from '../../src/api/auth/TrustedProxies.js';
import { createApiServer } from '../../src/api/createApiServer.js';
import { ReadOnlyEngineApi } from '../../src/api/engine/ReadOnlyEngineApi.js';
import type { EngineStatusSource } from '../../src/api/EngineStatus.js';
import { PushServer } from '../../src/api/push/PushServer.js';
import type { AppConfig } from '../../src/config/configSchema.js';
import type { AuditEntry, AuditSink } from '../../src/monitor/AuditSink.js';
import type { WebAppOptions } from '../../src/monitor/dashboard/registerWebApp.js';
import { WebAssets } from '../../src/monitor/dashboard/WebAssets.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import type { PushMessage } from '../api/push/TestPushClient.js';
import { TestPushClient } from '../api/push/TestPushClient.js';

/** An engine's two ports on loopback, built from one configuration as the engine builds them. */
export interface EngineRig {
  readonly app: FastifyInstance;
  /** http://127.0.0.1:PORT of the REST API. */
  readonly apiUrl: string;
  /** ws://127.0.0.1:PORT/ of the push server. */
  readonly pushUrl: string;
  /** Audit records of the REST API, and push logins as `push.auth` / `push.auth.failed`. */
  readonly audit: Omit<AuditEntry, 'seq' | 'time'>[];
  close(): Promise<void>;
}

const status: EngineStatusSource = {
  status: () => {
    throw new Error('not asked');
  },
  components: () => [],
};

/**
 * The REST API (on a real port, with the dashboard's /ws forwarding when `serveWeb`) and
 * the push server, from one configuration: the same authenticator, failure limiter and
 * trusted proxies as the push service of src/app gives them.
 */
export async function startEngineRig(
  config: AppConfig,
  opts: { serveWeb?: boolean } = {},
): Promise<EngineRig> {
  const dir = mkdtempSync(join(tmpdir(), 'qts-engine-rig-'));
  const db = openDatabase(join(dir, 'trading.db'));
  const audit: Omit<AuditEntry, 'seq' | 'time'>[] = [];
  const sink: AuditSink = {
    record: (kind, data, actor = 'system') => void audit.push({ kind, data, actor }),
    query: () => Promise.resolve([]),
  };
  const now = (): number => Date.now();
  const server = await PushServer.start({
    host: '127.0.0.1',
    port: 0,
    authenticator: authenticatorFor(config, now),
    allowAnonymous: false,
    trustedProxies: new TrustedProxies(config.api.trustedProxies),
    maxBufferedBytes: 1024 * 1024,
    heartbeatMs: 60_000,
    maxClients: 100,
    onAuth: (identity, address) =>
      sink.record(identity === undefined ? 'push.auth.failed' : 'push.auth', { address }),
  });
  const web: WebAppOptions | undefined = opts.serveWeb
    ? {
        assets: new WebAssets(join(dir, 'no-web-build')),
        pushTarget: () => ({ host: '127.0.0.1', port: server.port }),
      }
    : undefined;
  const app = await createApiServer({
    engine: new ReadOnlyEngineApi(db, 'USDT', 'binance', status),
    config,
    audit: sink,
    startedAt: now(),
    now,
    web,
  });
  const apiUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    apiUrl,
    pushUrl: `ws://127.0.0.1:${server.port}/`,
    audit,
    close: async () => {
      await server.close();
      await app.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** An HTTP answer as the tests read it. */
export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * One HTTP request sent from `from`, a loopback address of its own (127.0.0.2, …): so tests
 * on one machine have clients the servers tell apart by address.
 */
export function httpFrom(
  from: string,
  url: string,
  opts: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: opts.method ?? 'GET',
        localAddress: from,
        agent: false,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...opts.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A login at the push server from `from`: the answer (authed or error) and the close code after an error. */
export async function pushLoginFrom(
  from: string,
  url: string,
  token: string,
  headers: Record<string, string> = {},
  clients: TestPushClient[] = [],
): Promise<{ answer: PushMessage; close: number | undefined }> {
  const c = await TestPushClient.connect(url, undefined, { localAddress: from, headers });
  clients.push(c);
  c.send({ op: 'auth', token });
  const answer = await c.waitFor((m) => m.op === 'authed' || m.op === 'error', 'auth answer');
  const close = answer.op === 'error' ? (await c.waitClose()).code : undefined;
  c.close();
  return { answer, close };
}
