import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ccxt from 'ccxt';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineStatus } from '../../src/api/EngineStatus.js';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { StrategyControlStore } from '../../src/storage/sqlite/StrategyControlStore.js';
import { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import { loadTradesCsv } from '../support/fakeBinance/loadTradesCsv.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';
import { client } from './support/http.js';

const TRADES = sharedFile('crypto/trades/XRP_ETH-trades.csv');
const MIN = 60_000;
const WARMUP = 60;
const PARAMS = { fast: 5, slow: 20 };
const TOKENS = { viewer: 'viewer-token-0123456789abcdef', trader: 'trader-token-0123456789abcdef' };

type StrategyStatus = EngineStatus['strategies'][number];

interface JoinResult {
  /** Bars every strategy running from the start was fed (the dashboard's recent bars). */
  readonly delivered: number;
  /** Bars the exchange served for the history after the operator's start was answered. */
  readonly servedAfterJoin: number;
  readonly early: StrategyStatus | undefined;
  readonly late: StrategyStatus | undefined;
  readonly warmUp: EngineStatus['warmUp'];
}

/**
 * A strategy stopped by the operator in an earlier run is started through the REST API while the
 * engine is still warming up: before the history arrived, or after it was delivered while the
 * bar that closed meanwhile (the tail) is being fetched. GET /status must tell each instance
 * how many bars it actually saw.
 */
describe.skipIf(!HAS_SHARED_DATA)('a strategy started through the API during warm-up (fake Binance)', () => {
  const trades = HAS_SHARED_DATA ? loadTradesCsv(TRADES) : [];
  let fake: FakeBinance | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  async function runCase(when: 'before-history' | 'during-tail'): Promise<JoinResult> {
    // The engine starts in the middle of the tape, in a minute that has trades (the tail bar).
    const start = Math.floor((trades[Math.floor(trades.length / 2)]?.ts ?? 0) / MIN) * MIN;
    const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-warmup-join-')), 'trading.db');
    const seed = openDatabase(dbPath);
    // What the operator left in the last run: the strategy "late" stopped.
    new StrategyControlStore(seed).save({
      strategyId: 'late',
      strategy: 'sma-cross',
      params: undefined,
      configParams: PARAMS,
      running: false,
      updatedAt: start - 3_600_000,
      updatedBy: 'tom',
    });
    seed.close();
    fake = await FakeBinance.start({ markets: [{ symbol: 'XRP/ETH', trades, startTime: start }] });
    const f = fake;
    let now = start + 1;
    let port: number | undefined;
    const log = pino(
      { level: 'info' },
      {
        write: (line: string) => {
          const m = /API on http:\/\/127\.0\.0\.1:(\d+)\//.exec(
            String((JSON.parse(line) as { msg: unknown }).msg),
          );
          if (m !== null) port = Number(m[1]);
        },
      },
    );
    let joined = false;
    let servedAfterJoin = 0;
    /** The operator's start, answered before the engine gets the history it is waiting for. */
    const startLate = async (): Promise<void> => {
      if (joined) return;
      if (port === undefined) throw new Error('the API did not say its port before warm-up');
      const r = await client(`http://127.0.0.1:${port}`)<{ running: boolean }>(
        'POST',
        '/api/v1/strategies/late/start',
        { token: TOKENS.trader, body: {} },
      );
      expect(r.status).toBe(200);
      expect(r.body.running).toBe(true);
      joined = true;
    };
    const config = AppConfigSchema.parse({
      mode: 'shadow',
      marketData: { source: 'exchange', warmupBars: WARMUP, warmupTimeoutMs: 60_000 },
      account: { currency: 'ETH', initialCash: 10 },
      strategies: [
        { id: 'early', strategy: 'sma-cross', symbols: ['XRP/ETH'], timeframe: '1m', params: PARAMS },
        { id: 'late', strategy: 'sma-cross', symbols: ['XRP/ETH'], timeframe: '1m', params: PARAMS },
      ],
      storage: { dbPath },
      api: {
        host: '127.0.0.1',
        port: 0,
        tokens: [
          { name: 'vera', role: 'viewer', token: TOKENS.viewer },
          { name: 'tom', role: 'trader', token: TOKENS.trader },
        ],
        jwt: { secret: 'warm-up-join-test-secret-0123456789abcdef' },
      },
    });
    const rt = await TradingRuntime.startShadow(config, {
      log,
      noServices: true,
      wallClock: () => now,
      exchangeFactory: async () => {
        const ex = new ccxt.pro.binance();
        await f.configure(ex);
        // The engine's history requests, held (not faked) at the moments the operator acts.
        const fetchOHLCV = ex.fetchOHLCV.bind(ex);
        ex.fetchOHLCV = async (...args: Parameters<typeof fetchOHLCV>) => {
          const tail = args[2] === start;
          if (when === 'before-history' || tail) await startLate();
          const rows = await fetchOHLCV(...args);
          if (joined) servedAfterJoin += rows.length;
          if (when === 'during-tail' && !tail && now === start + 1) {
            // The minute of the start closes while the history is fetched: the exchange has
            // its trades, and warm-up fetches that bar too before the live feed starts.
            const next = trades.findIndex((t) => t.ts >= start + MIN);
            f.step(next - f.cursor('XRP/ETH'));
            now = start + MIN + 1;
          }
          return rows;
        };
        return ex;
      },
    });
    try {
      expect(joined).toBe(true);
      const status = await client(`http://127.0.0.1:${rt.port}`)<EngineStatus>('GET', '/api/v1/status', {
        token: TOKENS.viewer,
      });
      expect(status.status).toBe(200);
      const of = (id: string): StrategyStatus | undefined => status.body.strategies.find((s) => s.id === id);
      return {
        delivered: rt.recentBars.get('XRP/ETH', '1m').length,
        servedAfterJoin,
        early: of('early'),
        late: of('late'),
        warmUp: status.body.warmUp,
      };
    } finally {
      await rt.stop();
    }
  }

  it('started before the history arrived, it warms up on all of it and says so', async () => {
    const r = await runCase('before-history');
    expect(r.warmUp.state).toBe('done');
    expect(r.delivered).toBeGreaterThan(10);
    // Everything the exchange served came after the start: both instances saw all of it.
    expect(r.servedAfterJoin).toBe(r.delivered);
    const all = {
      bars: r.delivered,
      symbols: [{ symbol: 'XRP/ETH', source: 'exchange', bars: r.delivered }],
    };
    expect(r.early).toMatchObject({ running: true, warmUp: all });
    expect(r.late).toMatchObject({ running: true, warmUp: all });
  }, 60_000);

  it('started after the history was delivered, it reports only the bars it saw (the tail), not the whole window', async () => {
    const r = await runCase('during-tail');
    expect(r.warmUp.state).toBe('done');
    // The one bar that closed during the fetch came after the start; the window before did not.
    expect(r.servedAfterJoin).toBe(1);
    expect(r.delivered).toBeGreaterThan(10);
    expect(r.early).toMatchObject({
      running: true,
      warmUp: { bars: r.delivered, symbols: [{ symbol: 'XRP/ETH', source: 'exchange', bars: r.delivered }] },
    });
    expect(r.late).toMatchObject({
      running: true,
      warmUp: { bars: 1, symbols: [{ symbol: 'XRP/ETH', source: 'exchange', bars: 1 }] },
    });
  }, 60_000);
});
