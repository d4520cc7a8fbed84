import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ApiRuntime } from '../../src/app/ApiRuntime.js';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import { loadConfig } from '../../src/config/loadConfig.js';
import { EquitySampleStore } from '../../src/storage/sqlite/EquitySampleStore.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { StrategyControlStore } from '../../src/storage/sqlite/StrategyControlStore.js';
import { client, until } from '../app/support/http.js';
import { RecordingAudit } from '../app/support/RecordingAudit.js';
import { EMPTY_CONFIG } from '../support/emptyConfig.js';

const TOKEN = 'restart-trader-0123456789abcdef';
const SYMBOL = 'BTC/USDT';

interface Strategy {
  id: string;
  running: boolean;
  params: Record<string, unknown>;
}
interface Curve {
  points: { ts: number; equity: number }[];
}

function config(dbPath: string, fileParams: Record<string, unknown> = { fast: 5, slow: 20 }) {
  return AppConfigSchema.parse({
    mode: 'shadow',
    marketData: { source: 'synthetic', replayBarsPerSecond: 25, seed: 3 },
    account: { currency: 'USDT', initialCash: 50_000 },
    strategies: [
      { id: 'sma', strategy: 'sma-cross', symbols: [SYMBOL], timeframe: '1m', params: fileParams },
      { id: 'ema', strategy: 'ema-cross', symbols: [SYMBOL], timeframe: '1m', params: {} },
    ],
    storage: { dbPath },
    risk: { priceBandPct: 0.5, maxOrdersPerMinute: 10_000 },
    api: {
      host: '127.0.0.1',
      port: 0,
      tokens: [{ name: 'tom', role: 'admin', token: TOKEN }],
      rateLimit: { max: 1_000_000 },
    },
    // Every closed bar is stored, so a short test run leaves a curve to find again.
    history: { equitySampleMs: 0 },
  });
}

async function start(dbPath: string, fileParams?: Record<string, unknown>) {
  const audit = new RecordingAudit();
  const rt = await TradingRuntime.startShadow(config(dbPath, fileParams), {
    log: pino({ level: 'silent' }),
    audit,
    noServices: true,
  });
  const call = client(`http://127.0.0.1:${rt.port}`);
  await until(() => rt.node.lastPrice(SYMBOL) !== undefined, 'the first bar');
  const strategies = async (): Promise<Record<string, Strategy>> => {
    const r = await call<{ items: Strategy[] }>('GET', '/api/v1/strategies', { token: TOKEN });
    return Object.fromEntries(r.body.items.map((s) => [s.id, s]));
  };
  const curve = async (): Promise<Curve['points']> =>
    (await call<Curve>('GET', '/api/v1/pnl/equity?points=5000', { token: TOKEN })).body.points;
  return { rt, call, strategies, curve, audit };
}

describe('what an operator changes through the API survives a restart on the same database', () => {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-restart-')), 'trading.db');

  it('keeps strategy parameters and start/stop, and the equity curve goes on where it was', async () => {
    // First run: new parameters for one strategy, the other one stopped, a curve recorded.
    const a = await start(dbPath);
    let before: Curve['points'];
    let stoppedAt: number;
    try {
      const put = await a.call<Strategy>('PUT', '/api/v1/strategies/sma/params', {
        token: TOKEN,
        body: { params: { fast: 7, slow: 25 } },
      });
      expect(put.status).toBe(200);
      const stop = await a.call<Strategy>('POST', '/api/v1/strategies/ema/stop', { token: TOKEN, body: {} });
      expect(stop.body.running).toBe(false);
      await until(async () => (await a.curve()).length >= 3, 'three equity points', 20_000);
      before = await a.curve();
    } finally {
      stoppedAt = Date.now();
      await a.rt.stop();
    }
    const db1 = openDatabase(dbPath);
    expect(new EquitySampleStore(db1).count()).toBeGreaterThanOrEqual(before.length);
    db1.close();

    // Second run on the same file and the same config: as the operator left it.
    const b = await start(dbPath);
    try {
      const s = await b.strategies();
      expect(s['sma']).toMatchObject({ running: true, params: { fast: 7, slow: 25 } });
      expect(s['ema']?.running).toBe(false);
      expect(b.rt.node.strategyInfos().find((x) => x.id === 'ema')?.running).toBe(false);
      // What was brought back is in the audit trail, with who set it.
      const restored = b.audit.entries.filter((e) => e.kind === 'strategy.control_restored');
      expect(restored.map((e) => [e.data['strategyId'], e.data['outcome']])).toEqual([
        ['ema', 'restored'],
        ['sma', 'restored'],
      ]);
      expect(String(restored[0]?.data['detail'])).toContain('api:tom');
      // The curve starts with every point of the first run, then this run's own.
      await until(async () => (await b.curve()).some((p) => p.ts > stoppedAt), 'a point of the new run');
      const after = await b.curve();
      const old = after.filter((p) => p.ts <= stoppedAt);
      for (const p of before) expect(old).toContainEqual(p);
      expect(after.map((p) => p.ts)).toEqual([...after.map((p) => p.ts)].sort((x, y) => x - y));
      // Starting it again is a change too: saved at once.
      expect(
        (await b.call<Strategy>('POST', '/api/v1/strategies/ema/start', { token: TOKEN })).body.running,
      ).toBe(true);
    } finally {
      await b.rt.stop();
    }
    const db2 = openDatabase(dbPath);
    const controls = new StrategyControlStore(db2);
    expect(controls.get('ema')).toMatchObject({ running: true, updatedBy: 'api:tom' });
    expect(controls.get('sma')).toMatchObject({ running: true, params: { fast: 7, slow: 25 } });
    db2.close();

    // api mode reads the stored curve of the trading runs.
    const api = await ApiRuntime.start({ ...config(dbPath), mode: 'api' }, pino({ level: 'silent' }), {
      noServices: true,
    });
    try {
      const r = await client(`http://127.0.0.1:${api.port}`)<Curve>('GET', '/api/v1/pnl/equity?points=5000', {
        token: TOKEN,
      });
      expect(r.status).toBe(200);
      expect(r.body.points.length).toBeGreaterThanOrEqual(before.length);
      expect(r.body.points[0]).toEqual(before[0]);
      const thin = await client(`http://127.0.0.1:${api.port}`)<Curve>('GET', '/api/v1/pnl/equity?points=2', {
        token: TOKEN,
      });
      expect(thin.body.points.length).toBe(2);
    } finally {
      await api.stop();
    }
  });

  it('lets a changed config file win over an older API change, and drops saved parameters the strategy refuses', async () => {
    // The operator edited sma's parameters in the file: the file wins, the control is dropped.
    const c = await start(dbPath, { fast: 6, slow: 30 });
    try {
      const s = await c.strategies();
      expect(s['sma']?.params).toMatchObject({ fast: 6, slow: 30 });
      expect(s['ema']?.running).toBe(true);
      expect(
        c.audit.entries.find((e) => e.kind === 'strategy.control_restored' && e.data['strategyId'] === 'sma')
          ?.data,
      ).toMatchObject({ outcome: 'config-changed' });
    } finally {
      await c.rt.stop();
    }
    const db = openDatabase(dbPath);
    const store = new StrategyControlStore(db);
    expect(store.get('sma')).toBeUndefined();
    // A saved value the schema no longer accepts (written by hand here) is refused at start.
    store.save({
      strategyId: 'sma',
      strategy: 'sma-cross',
      params: { fast: 50, slow: 10 },
      configParams: { fast: 6, slow: 30 },
      running: false,
      updatedAt: 1,
      updatedBy: 'api:tom',
    });
    db.close();
    const d = await start(dbPath, { fast: 6, slow: 30 });
    try {
      const s = await d.strategies();
      // The refused parameters go; the operator's stop stays, with the file's parameters.
      expect(s['sma']).toMatchObject({ running: false, params: { fast: 6, slow: 30 } });
      expect(
        d.audit.entries.find((e) => e.kind === 'strategy.control_restored' && e.data['strategyId'] === 'sma')
          ?.data,
      ).toMatchObject({ outcome: 'invalid', running: false });
    } finally {
      await d.rt.stop();
    }
    const db3 = openDatabase(dbPath);
    expect(new StrategyControlStore(db3).get('sma')).toMatchObject({
      running: false,
      params: undefined,
      configParams: { fast: 6, slow: 30 },
    });
    db3.close();
  });

  it('keeps a stopped strategy stopped when its parameters in the config file are edited', async () => {
    // The operator stops sma (it misbehaves), then edits its parameters in the file to fix it.
    const e = await start(dbPath, { fast: 6, slow: 30 });
    try {
      expect(
        (await e.call<Strategy>('POST', '/api/v1/strategies/sma/start', { token: TOKEN })).body.running,
      ).toBe(true);
      const stop = await e.call<Strategy>('POST', '/api/v1/strategies/sma/stop', { token: TOKEN, body: {} });
      expect(stop.body.running).toBe(false);
    } finally {
      await e.rt.stop();
    }
    const f = await start(dbPath, { fast: 8, slow: 40 });
    try {
      const s = await f.strategies();
      // The file's new parameters apply, and the stop is not undone by the edit.
      expect(s['sma']).toMatchObject({ running: false, params: { fast: 8, slow: 40 } });
      expect(f.rt.node.strategyInfos().find((x) => x.id === 'sma')?.running).toBe(false);
      const restored = f.audit.entries.find(
        (x) => x.kind === 'strategy.control_restored' && x.data['strategyId'] === 'sma',
      )?.data;
      expect(restored).toMatchObject({ outcome: 'config-changed', running: false });
      expect(String(restored?.['detail'])).toContain('kept stopped');
      // Starting it is the operator's call, and is saved as usual.
      expect(
        (await f.call<Strategy>('POST', '/api/v1/strategies/sma/start', { token: TOKEN })).body.running,
      ).toBe(true);
    } finally {
      await f.rt.stop();
    }
    const db = openDatabase(dbPath);
    expect(new StrategyControlStore(db).get('sma')).toMatchObject({
      running: true,
      configParams: { fast: 8, slow: 40 },
    });
    db.close();
  });
});

describe('history settings', () => {
  it('store an equity sample a minute by default, and take EQUITY_SAMPLE_MS from the environment', () => {
    expect(AppConfigSchema.parse({}).history).toEqual({ equitySampleMs: 60_000, equityMaxSamples: 100_000 });
    const cfg = loadConfig({
      file: undefined,
      strategiesDir: '/nonexistent',
      env: { QTS_CONFIG: EMPTY_CONFIG, EQUITY_SAMPLE_MS: '5000' },
    });
    expect(cfg.history.equitySampleMs).toBe(5_000);
    expect(() => AppConfigSchema.parse({ history: { equitySampleMs: -1 } })).toThrow();
  });
});
