import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ApiRuntime } from '../../src/app/ApiRuntime.js';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import { toFixed } from '../../src/core/Fixed.js';
import { randomWalkSeries } from '../../src/data/syntheticSeries.js';
import { writeBarSeriesCsv } from '../../src/data/writeBarSeriesCsv.js';
import { parseSizing } from '../../src/portfolio/Sizer.js';
import { findStrategy } from '../../src/strategies/registry.js';
import { CandleStore } from '../../src/storage/sqlite/CandleStore.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { client, until } from './support/http.js';

const TOKEN = 'research-token-0123456789abcdef';

describe('api mode', () => {
  it('serves stored candles and runs backtests in the background to the same report as a direct run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-api-'));
    const dbPath = join(dir, 'trading.db');
    const series = randomWalkSeries({
      symbol: 'ETH/BTC',
      timeframe: '5m',
      length: 3_000,
      seed: 11,
      volatility: 0.004,
    });
    const db = openDatabase(dbPath);
    new CandleStore(db).upsert('binance', series);
    db.close();
    const dataDir = join(dir, 'history');
    mkdirSync(dataDir);
    writeBarSeriesCsv(join(dataDir, 'ETH_BTC-5m.csv'), series);

    const config = AppConfigSchema.parse({
      mode: 'api',
      storage: { dbPath },
      api: {
        host: '127.0.0.1',
        port: 0,
        tokens: [{ name: 'ria', role: 'trader', token: TOKEN }],
        backtestDataDir: dataDir,
      },
    });
    const rt = await ApiRuntime.start(config, pino({ level: 'silent' }), { noServices: true });
    const call = client(`http://127.0.0.1:${rt.port}`);
    const auth = { token: TOKEN };
    try {
      expect((await call('GET', '/api/v1/market/symbols', auth)).body).toEqual({
        items: [
          {
            symbol: 'ETH/BTC',
            exchange: 'binance',
            timeframes: ['5m'],
            first: series.ts[0],
            last: series.ts[series.length - 1],
          },
        ],
      });
      const latest = await call<{ candles: { ts: number; close: number }[] }>(
        'GET',
        '/api/v1/market/candles?exchange=binance&symbol=ETH/BTC&timeframe=5m&limit=3',
        auth,
      );
      const n = series.length;
      expect(latest.body.candles.map((x) => [x.ts, x.close])).toEqual(
        [n - 3, n - 2, n - 1].map((i) => [series.ts[i], series.close[i]]),
      );
      const first = await call<{ candles: { ts: number }[] }>(
        'GET',
        `/api/v1/market/candles?symbol=ETH/BTC&timeframe=5m&limit=2&from=${series.ts[10]}`,
        auth,
      );
      expect(first.body.candles.map((x) => x.ts)).toEqual([series.ts[10], series.ts[11]]);

      const params = { fast: 10, slow: 30 };
      const expected = runBacktest({
        series: [series],
        strategy: findStrategy('sma-cross'),
        params,
        initialCash: 1,
        commission: 0.001,
        fill: { fillAt: 'next-open' },
        sizing: parseSizing('percent:95', toFixed(0.001)),
        seed: 42,
      }).report;
      expect(expected.orders).toBeGreaterThan(0);

      const common = { strategy: 'sma-cross', params, cash: 1, sizing: 'percent:95', lot: 0.001 };
      const fromDb = await call<{ id: string; status: string }>('POST', '/api/v1/backtests', {
        ...auth,
        body: { ...common, symbol: 'ETH/BTC', timeframe: '5m' },
      });
      const fromFile = await call<{ id: string }>('POST', '/api/v1/backtests', {
        ...auth,
        body: { ...common, file: 'ETH_BTC-5m.csv' },
      });
      expect([fromDb.status, fromFile.status]).toEqual([202, 202]);
      expect(['queued', 'running']).toContain(fromDb.body.status);

      type Job = {
        status: string;
        progress: { done: number; total: number };
        report: Record<string, unknown> | null;
      };
      const finished = async (id: string): Promise<Job> => {
        let job: Job | undefined;
        await until(
          async () => {
            job = (await call<Job>('GET', `/api/v1/backtests/${id}`, auth)).body;
            return job.status === 'done' || job.status === 'failed';
          },
          `backtest ${id}`,
          60_000,
        );
        return job as Job;
      };
      for (const id of [fromDb.body.id, fromFile.body.id]) {
        const job = await finished(id);
        expect(job.status).toBe('done');
        expect(job.progress).toEqual({ done: series.length, total: series.length });
        // The worker ran the same engine: the trade log hash is the direct run's.
        expect(job.report).toMatchObject({
          strategy: 'sma-cross',
          tradeLogSha256: expected.tradeLogSha256,
          orders: expected.orders,
          finalEquityExact: expected.finalEquityExact,
        });
      }
      const list = await call<{ items: { id: string; report: unknown }[] }>('GET', '/api/v1/backtests', auth);
      expect(list.body.items.map((j) => j.id)).toEqual([fromFile.body.id, fromDb.body.id]);
      expect(list.body.items.every((j) => j.report === null)).toBe(true);

      const refused = [
        [{ ...common, strategy: 'nope', symbol: 'ETH/BTC', timeframe: '5m' }, 422, 'ERR_UNKNOWN_STRATEGY'],
        [{ ...common, params: { fast: 'x' }, symbol: 'ETH/BTC', timeframe: '5m' }, 400, 'ERR_INVALID_PARAMS'],
        [{ ...common, params: { fats: 5 }, symbol: 'ETH/BTC', timeframe: '5m' }, 400, 'ERR_INVALID_PARAMS'],
        [{ ...common, file: 'missing.csv' }, 422, 'ERR_BACKTEST_NO_DATA'],
        [{ ...common, file: '../trading.db' }, 400, 'ERR_BAD_REQUEST'],
        [{ ...common, cash: -1, file: 'ETH_BTC-5m.csv' }, 400, 'ERR_BAD_REQUEST'],
      ] as const;
      for (const [body, status, error] of refused) {
        const r = await call('POST', '/api/v1/backtests', { ...auth, body });
        expect(`${r.status} ${String(r.body['error'])}`).toBe(`${status} ${error}`);
      }
      // No stored candles in that range: the job fails with the code, the server stays up.
      const empty = await call<{ id: string }>('POST', '/api/v1/backtests', {
        ...auth,
        body: { ...common, symbol: 'LTC/BTC', timeframe: '5m' },
      });
      const failed = await finished(empty.body.id);
      expect(failed).toMatchObject({ status: 'failed', error: { code: 'ERR_BACKTEST_NO_DATA' } });
      expect((await call('GET', '/api/v1/backtests/bt-none', auth)).status).toBe(404);
      expect((await call('GET', '/api/v1/status', auth)).body).toMatchObject({ mode: 'api', strategies: [] });
      expect((await call('POST', '/api/v1/risk/kill', { ...auth, body: {} })).status).toBe(409);
      // api mode trades nothing: every command is refused by name, none reaches an order.
      const commands = [
        ['/api/v1/positions/close', { symbol: 'ETH/BTC' }],
        ['/api/v1/strategies/sma/start', undefined],
        ['/api/v1/orders/Q000001/cancel', undefined],
        ['/api/v1/risk/kill', { flatten: true }],
      ] as const;
      for (const [path, body] of commands) {
        const r = await call('POST', path, { ...auth, ...(body === undefined ? {} : { body }) });
        expect(`${path} ${r.status} ${String(r.body['error'])}`).toBe(`${path} 409 ERR_API_READ_ONLY`);
      }
    } finally {
      await rt.stop();
    }
  }, 120_000);
});
