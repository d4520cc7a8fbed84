import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomWalkSeries } from '../../src/data/syntheticSeries.js';
import type { BacktestSettings } from '../../src/research/BacktestSettings.js';
import { DEFAULT_BACKTEST_SETTINGS } from '../../src/research/BacktestSettings.js';
import type { ComboTask } from '../../src/research/ComboTask.js';
import { QueueEvaluator } from '../../src/research/queue/QueueEvaluator.js';
import { runKeys } from '../../src/research/queue/researchQueue.js';
import { parseRunSpec, QUEUE_PROTOCOL } from '../../src/research/queue/runSpec.js';
import type { QueueWorkerHandle } from '../../src/research/queue/startQueueWorker.js';
import { startQueueWorker } from '../../src/research/queue/startQueueWorker.js';
import type { RedisServer } from '../support/redis.js';
import { HAS_REDIS, startRedis } from '../support/redis.js';

/**
 * A worker of an older build must not run what it does not understand: a setting it would
 * ignore (a spread, a maker fee) makes its metrics wrong while they look right in the report.
 */
describe('parseRunSpec', () => {
  const series = [{ symbol: 'X/USDT', timeframe: '1m', length: 10 }];
  it('reads a spec of this protocol and one of protocol 1 (the field was called settings)', () => {
    const now = parseRunSpec(
      'r1',
      JSON.stringify({
        protocol: QUEUE_PROTOCOL,
        strategyId: 'sma-cross',
        backtest: DEFAULT_BACKTEST_SETTINGS,
        series,
      }),
    );
    expect(now.backtest).toEqual(DEFAULT_BACKTEST_SETTINGS);
    const old = parseRunSpec(
      'r1',
      JSON.stringify({ strategyId: 'sma-cross', settings: DEFAULT_BACKTEST_SETTINGS, series }),
    );
    expect(old).toEqual({ ...now, protocol: 1 });
  });
  it('refuses a newer protocol and unknown settings fields, naming them', () => {
    const newer = JSON.stringify({ protocol: QUEUE_PROTOCOL + 1, strategyId: 's', backtest: {}, series });
    expect(() => parseRunSpec('r2', newer)).toThrow(/ERR_QUEUE_INCOMPATIBLE|protocol 3/);
    const extra = JSON.stringify({
      protocol: QUEUE_PROTOCOL,
      strategyId: 's',
      backtest: { ...DEFAULT_BACKTEST_SETTINGS, borrowRate: 0.01 },
      series,
    });
    expect(() => parseRunSpec('r2', extra)).toThrow(/does not know \(borrowRate\)/);
  });
});

describe.skipIf(!HAS_REDIS)('queue protocol between coordinator and worker (redis-server)', () => {
  let server: RedisServer;
  let worker: QueueWorkerHandle;
  const queueName = 'qts-protocol-test';
  const series = [randomWalkSeries({ symbol: 'WALK/USDT', timeframe: '1m', length: 3000, seed: 5 })];
  const settings: BacktestSettings = { ...DEFAULT_BACKTEST_SETTINGS, fill: 'close' };

  beforeAll(async () => {
    server = await startRedis();
    worker = startQueueWorker({ url: server.url, queueName });
    await worker.ready;
  }, 60_000);
  afterAll(async () => {
    await worker?.close();
    await server?.stop();
  });

  const open = (runId: string, s: BacktestSettings): Promise<QueueEvaluator> =>
    QueueEvaluator.open({ url: server.url, queueName, runId, series, strategyId: 'sma-cross', settings: s });
  const task: ComboTask = { params: { fast: 5, slow: 20 } };

  it('runs a run of this build, and the same run stored as protocol 1 gives the same metrics', async () => {
    const a = await open('proto-a', settings);
    const [now] = await a.evaluate([task]);
    await a.close();
    const b = await open('proto-b', settings);
    const redis = new Redis(server.port, '127.0.0.1');
    const legacy = {
      strategyId: 'sma-cross',
      settings,
      series: [{ symbol: 'WALK/USDT', timeframe: '1m', length: 3000 }],
    };
    await redis.set(runKeys.spec('proto-b'), JSON.stringify(legacy));
    redis.disconnect();
    const [old] = await b.evaluate([task]);
    await b.close();
    expect(now?.trades).toBeGreaterThan(0);
    expect(old).toEqual(now);
  }, 60_000);

  it('a setting the worker does not know fails the run with ERR_QUEUE_INCOMPATIBLE', async () => {
    const newer = { ...settings, borrowRate: 0.02 } as BacktestSettings;
    const e = await open('proto-c', newer);
    await expect(e.evaluate([task])).rejects.toMatchObject({ code: 'ERR_QUEUE_INCOMPATIBLE' });
    await e.close();
  }, 60_000);

  it('a task field the worker does not know fails the run the same way', async () => {
    const e = await open('proto-d', settings);
    const newerTask = { ...task, stopAfterLosses: 3 } as ComboTask;
    await expect(e.evaluate([newerTask])).rejects.toThrow(/stopAfterLosses/);
    await e.close();
  }, 60_000);
});
