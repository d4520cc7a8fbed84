/**
 * POST /api/v1/backtests takes the fill settings `qts backtest` has (maker/taker fee, slippage
 * or spread, volume share, latency, intrabar path), runs them as the CLI does, refuses bad
 * values with a 400 naming the field, and documents them in the OpenAPI schema.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BacktestJobs } from '../../src/api/backtests/BacktestJobs.js';
import { createApiServer } from '../../src/api/createApiServer.js';
import type { EngineStatusSource } from '../../src/api/EngineStatus.js';
import { ReadOnlyEngineApi } from '../../src/api/engine/ReadOnlyEngineApi.js';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import { randomWalkSeries } from '../../src/data/syntheticSeries.js';
import { writeBarSeriesCsv } from '../../src/data/writeBarSeriesCsv.js';
import { NULL_AUDIT } from '../../src/monitor/AuditSink.js';
import { backtestConfig, DEFAULT_BACKTEST_SETTINGS } from '../../src/research/BacktestSettings.js';
import { findStrategy } from '../../src/strategies/registry.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { until } from '../app/support/http.js';

const TRADER = 'trader-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TRADER}` };
const status: EngineStatusSource = {
  status: () => {
    throw new Error('not asked');
  },
  components: () => [{ name: 'database', ready: true, detail: 'test' }],
};
const series = randomWalkSeries({
  symbol: 'ETH/USDT',
  timeframe: '1h',
  length: 400,
  seed: 5,
  volatility: 0.01,
});

let app: FastifyInstance;
let db: ReturnType<typeof openDatabase>;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qts-api-settings-'));
  const dataDir = join(dir, 'history');
  mkdirSync(dataDir);
  writeBarSeriesCsv(join(dataDir, 'ETH_USDT-1h.csv'), series);
  db = openDatabase(join(dir, 'trading.db'));
  app = await createApiServer({
    engine: new ReadOnlyEngineApi(db, 'USDT', 'binance', status),
    config: AppConfigSchema.parse({
      mode: 'api',
      api: { tokens: [{ name: 'tia', role: 'trader', token: TRADER }] },
    }),
    audit: NULL_AUDIT,
    startedAt: 0,
    now: () => Date.now(),
    backtests: new BacktestJobs({
      dbPath: undefined,
      dataDir,
      defaultExchange: 'binance',
      maxRunning: 1,
      now: () => Date.now(),
    }),
  });
});
afterAll(async () => {
  await app.close();
  db.close();
});

const base = { strategy: 'sma-cross', params: { fast: 5, slow: 20 }, file: 'ETH_USDT-1h.csv', lot: 0.001 };
const post = (extra: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: '/api/v1/backtests', headers: auth, payload: { ...base, ...extra } });

describe('POST /api/v1/backtests fill settings', () => {
  it('runs maker/taker fees, spread, volume share, latency and intrabar as qts backtest does', async () => {
    const settings = {
      makerFee: 0.0002,
      takerFee: 0.0007,
      spreadBps: 8,
      volumeShare: 0.5,
      latencyMs: 250,
      intrabar: 'ohlc',
      fill: 'close',
    } as const;
    const r = await post(settings);
    expect(r.statusCode).toBe(202);
    const id = r.json<{ id: string }>().id;
    let job: { status: string; report: Record<string, unknown> | null; error: unknown } | undefined;
    await until(
      async () => {
        job = (await app.inject({ url: `/api/v1/backtests/${id}`, headers: auth })).json();
        return job?.status === 'done' || job?.status === 'failed';
      },
      'the backtest job',
      60_000,
    );
    const expected = runBacktest(
      backtestConfig(
        { ...DEFAULT_BACKTEST_SETTINGS, initialCash: 10_000, lot: 0.001, ...settings },
        [series],
        findStrategy('sma-cross'),
        base.params,
      ),
    ).report;
    expect(expected.trades).toBeGreaterThan(0);
    // The settings change the run: a server that dropped them would report the default run.
    const plain = runBacktest(
      backtestConfig(
        { ...DEFAULT_BACKTEST_SETTINGS, initialCash: 10_000, lot: 0.001 },
        [series],
        findStrategy('sma-cross'),
        base.params,
      ),
    ).report;
    expect(plain.tradeLogSha256).not.toBe(expected.tradeLogSha256);
    expect(job?.error).toBeNull();
    expect(job?.report).toMatchObject({
      makerFee: 0.0002,
      takerFee: 0.0007,
      slippage: { kind: 'spread', spreadBps: 8 },
      tradeLogSha256: expected.tradeLogSha256,
      finalEquityExact: expected.finalEquityExact,
    });
  }, 90_000);

  it('refuses bad values and both slippage models with a 400 naming the field', async () => {
    for (const [extra, message] of [
      [{ makerFee: -0.001 }, /^makerFee: /],
      [{ takerFee: 0.5 }, /^takerFee: /],
      [{ slippageBps: 10_000 }, /^slippageBps: /],
      [{ spreadBps: 'wide' }, /^spreadBps: /],
      [{ volumeShare: 0 }, /^volumeShare: /],
      [{ latencyMs: -1 }, /^latencyMs: /],
      [{ intrabar: 'random' }, /^intrabar: /],
      [{ slippageBps: 5, spreadBps: 10 }, /^spreadBps: slippageBps and spreadBps are two slippage models/],
    ] as const) {
      const r = await post(extra);
      expect(`${JSON.stringify(extra)} ${r.statusCode}`).toBe(`${JSON.stringify(extra)} 400`);
      expect(r.json()).toMatchObject({
        error: 'ERR_BAD_REQUEST',
        message: expect.stringMatching(message) as unknown,
      });
    }
  });

  it('documents every setting in the OpenAPI schema of the request', async () => {
    const doc = (await app.inject({ url: '/docs/json', headers: auth })).json<{
      components: { schemas: Record<string, { properties: Record<string, { description?: string }> }> };
    }>();
    const props = doc.components.schemas['BacktestRequest']?.properties ?? {};
    for (const field of [
      'makerFee',
      'takerFee',
      'slippageBps',
      'spreadBps',
      'volumeShare',
      'latencyMs',
      'intrabar',
      'fill',
      'commission',
    ])
      expect(props[field]?.description, field).toMatch(/.+/);
  });
});
