import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ApiRuntime } from '../../src/app/ApiRuntime.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import { CandleStore } from '../../src/storage/sqlite/CandleStore.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';

describe.skipIf(!HAS_SHARED_DATA)('api mode', () => {
  it('serves stored candles and runs backtests on request, with 4xx for bad requests', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-api-')), 'trading.db');
    const series = loadBarSeries(sharedFile('crypto/spot-5m/ETH_BTC-5m.csv')).series;
    const db = openDatabase(dbPath);
    new CandleStore(db).upsert('binance', series);
    db.close();
    const config = AppConfigSchema.parse({
      mode: 'api',
      storage: { dbPath },
      api: { host: '127.0.0.1', port: 0 },
    });
    const rt = await ApiRuntime.start(config, pino({ level: 'silent' }));
    const base = `http://127.0.0.1:${rt.port}/api/v1`;
    try {
      expect(await (await fetch(`${base}/market/series`)).json()).toMatchObject([
        { exchange: 'binance', symbol: 'ETH/BTC', timeframe: '5m', count: series.length },
      ]);
      const c = (await (
        await fetch(`${base}/market/candles?exchange=binance&symbol=ETH/BTC&timeframe=5m&limit=3`)
      ).json()) as { candles: { ts: number; close: number }[] };
      expect(c.candles.map((x) => [x.ts, x.close])).toEqual(
        [0, 1, 2].map((i) => [series.ts[i], series.close[i]]),
      );

      const post = (body: unknown) =>
        fetch(`${base}/backtests`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const ok = await post({
        strategy: 'rsi',
        exchange: 'binance',
        symbol: 'ETH/BTC',
        timeframe: '5m',
        cash: 1,
        sizing: 'percent:95',
        lot: 0.001,
      });
      expect(ok.status).toBe(201);
      const created = (await ok.json()) as { id: string; orders: number; tradeLogSha256: string };
      expect(created.orders).toBeGreaterThan(0);
      const report = (await (await fetch(`${base}/backtests/${created.id}`)).json()) as {
        tradeLogSha256: string;
        strategy: string;
      };
      expect(report).toMatchObject({ strategy: 'rsi', tradeLogSha256: created.tradeLogSha256 });

      const bad = await post({
        strategy: 'rsi',
        exchange: 'binance',
        symbol: 'ETH/BTC',
        timeframe: '5m',
        cash: -1,
      });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({
        error: 'ERR_BAD_REQUEST',
        message: expect.stringMatching(/^cash: /) as unknown,
      });
      const unknown = await post({
        strategy: 'nope',
        exchange: 'binance',
        symbol: 'ETH/BTC',
        timeframe: '5m',
      });
      expect(unknown.status).toBe(422);
      expect(await unknown.json()).toMatchObject({ error: 'ERR_UNKNOWN_STRATEGY' });
      const params = await post({
        strategy: 'rsi',
        params: { period: 'x' },
        exchange: 'binance',
        symbol: 'ETH/BTC',
        timeframe: '5m',
      });
      expect(await params.json()).toMatchObject({ error: 'ERR_INVALID_PARAMS' });
      const empty = await post({ strategy: 'rsi', exchange: 'binance', symbol: 'LTC/BTC', timeframe: '5m' });
      expect(await empty.json()).toMatchObject({ error: 'ERR_BACKTEST_NO_DATA' });
      const notJson = await fetch(`${base}/backtests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{',
      });
      expect(notJson.status).toBe(400);
      expect((await fetch(`${base}/backtests/bt999`)).status).toBe(404);
      expect((await fetch(`${base}/market/candles?exchange=binance&symbol=ethbtc&timeframe=5m`)).status).toBe(
        400,
      );
      expect(await (await fetch(`${base}/status`)).json()).toMatchObject({ mode: 'api', strategies: [] });
    } finally {
      await rt.stop();
    }
  });
});
