/**
 * Shadow: a strategy whose onTimer or onBar throws is quarantined, not the engine. The process,
 * the API and the metrics stay up, the other strategy keeps getting bars and trading, the failed
 * instances get no more calls, and the API, the metric, the audit and the log say so once each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { startMetricsService } from '../../src/app/services/metricsService.js';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import type { Bar } from '../../src/model/Bar.js';
import type * as Registry from '../../src/strategies/registry.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import { client, until } from './support/http.js';
import { RecordingAudit } from './support/RecordingAudit.js';

vi.mock('../../src/strategies/registry.js', async (importOriginal) => {
  const actual = await importOriginal<typeof Registry>();
  return {
    ...actual,
    // The classes are defined below; the lookup runs only once the test starts an engine.
    findStrategy: (id: string) =>
      ({ 'timer-bug': TimerBug, 'bar-bug': BarBug, steady: Steady })[id] ?? actual.findStrategy(id),
  };
});

/** Calls each test strategy got, by kind ('bar', 'timer', 'fill'). */
const calls = { timerBug: { bar: 0, timer: 0 }, barBug: { bar: 0 }, steady: { bar: 0, fill: 0 } };

const empty = z.object({});

/** Its first timer (every second) throws. */
class TimerBug extends Strategy<Record<string, never>> {
  static readonly id = 'timer-bug';
  static readonly description = 'test strategy: onTimer throws';
  static readonly paramsSchema = empty;
  override onStart(): void {
    super.onStart();
    this.ctx.setTimer('tick', 1_000);
  }
  override onBar(): void {
    calls.timerBug.bar++;
  }
  override onTimer(): void {
    calls.timerBug.timer++;
    throw new Error('timer boom');
  }
}

/** Its third bar throws. */
class BarBug extends Strategy<Record<string, never>> {
  static readonly id = 'bar-bug';
  static readonly description = 'test strategy: onBar throws';
  static readonly paramsSchema = empty;
  override onBar(): void {
    calls.barBug.bar++;
    if (calls.barBug.bar === 3) throw new Error('bar boom');
  }
}

/** Buys on even bars, sells what it holds on odd ones. */
class Steady extends Strategy<Record<string, never>> {
  static readonly id = 'steady';
  static readonly description = 'test strategy: trades every bar';
  static readonly paramsSchema = empty;
  override onBar(bar: Bar): void {
    calls.steady.bar++;
    if (calls.steady.bar % 2 === 0) this.ctx.buy(bar.symbol, 0.01);
    else if (this.ctx.position(bar.symbol).isLong) this.ctx.sell(bar.symbol);
  }
  override onFill(): void {
    calls.steady.fill++;
  }
}

const TOKEN = 'viewer-token-0123456789abcdef';

function config(dbPath: string) {
  // 1s bars: the synthetic market replays its history fast for about a minute, then closes one
  // bar per timeframe; market orders fill at the next bar's open. On 1m bars an engine reached
  // after the replay waited minutes for the steady strategy's three fills.
  const deploy = (id: string) => ({ id, strategy: id, symbols: ['BTC/USDT'], timeframe: '1s', params: {} });
  return AppConfigSchema.parse({
    mode: 'shadow',
    marketData: { source: 'synthetic', replayBarsPerSecond: 25 },
    account: { currency: 'USDT', initialCash: 100_000 },
    strategies: [deploy('timer-bug'), deploy('bar-bug'), deploy('steady')],
    storage: { dbPath },
    risk: { priceBandPct: 0.9, maxOrdersPerMinute: 100_000 },
    api: { host: '127.0.0.1', port: 0, tokens: [{ name: 'vera', role: 'viewer', token: TOKEN }] },
    metrics: { enabled: true, host: '127.0.0.1', port: 0 },
  });
}

interface StrategyItem {
  id: string;
  running: boolean;
  status: string;
  failure: { code: string; message: string; hook: string; symbol: string | null; at: number } | null;
}

describe('shadow: a strategy whose handler throws is quarantined, the engine goes on', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('onTimer and onBar throw: both quarantined; API, metrics, audit and log say so; the other trades on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-quarantine-'));
    dirs.push(dir);
    const lines: Record<string, unknown>[] = [];
    const log = pino(
      { level: 'info' },
      { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) },
    );
    const audit = new RecordingAudit();
    const cfg = config(join(dir, 'trading.db'));
    const rt = await TradingRuntime.startShadow(cfg, { log, audit, noServices: true });
    const metrics = await startMetricsService({
      mode: 'shadow',
      config: cfg,
      log,
      audit,
      logTail: undefined,
      status: rt,
      engine: rt,
      now: () => Date.now(),
    });
    try {
      const failed = () => rt.node.strategyInfos().filter((s) => s.failure !== undefined).length;
      await until(() => failed() === 2, 'both buggy strategies to fail', 30_000);
      const after = { ...calls.steady };
      const frozen = { timer: { ...calls.timerBug }, bar: { ...calls.barBug } };
      // The other strategy keeps getting bars and trading: a round trip and more after the failures,
      // and time enough for the failed one's one-second timer to fire again were it still armed.
      const t0 = performance.now();
      await until(
        () => calls.steady.fill >= after.fill + 3 && performance.now() - t0 > 2_500,
        'the steady strategy to trade on',
        30_000,
      );
      expect(calls.steady.bar).toBeGreaterThan(after.bar);
      // The failed ones got no call after the one that threw; the timer is gone from the clock.
      expect(calls.timerBug.timer).toBe(1);
      expect(calls.barBug.bar).toBe(3);
      expect(calls.timerBug).toEqual(frozen.timer);
      expect(calls.barBug).toEqual(frozen.bar);
      expect(rt.clock.timerNames().filter((n) => n.startsWith('timer-bug:'))).toEqual([]);

      const call = client(`http://127.0.0.1:${rt.port}`);
      const res = await call<{ items: StrategyItem[] }>('GET', '/api/v1/strategies', { token: TOKEN });
      expect(res.status).toBe(200);
      const byId = new Map(res.body.items.map((s) => [s.id, s]));
      expect(byId.get('timer-bug')).toMatchObject({
        running: false,
        status: 'failed',
        failure: { code: 'ERR_STRATEGY_FAILED', hook: 'onTimer', symbol: null },
      });
      expect(byId.get('timer-bug')?.failure?.message).toMatch(
        /^strategy timer-bug failed in onTimer \(.*\): timer boom$/,
      );
      expect(byId.get('bar-bug')).toMatchObject({
        status: 'failed',
        failure: { code: 'ERR_STRATEGY_FAILED', hook: 'onBar', symbol: 'BTC/USDT' },
      });
      expect(byId.get('steady')).toMatchObject({ running: true, status: 'running', failure: null });
      // GET /status, which the dashboard's overview polls, says the same.
      const st = await call<{ strategies: StrategyItem[] }>('GET', '/api/v1/status', { token: TOKEN });
      expect(st.status).toBe(200);
      const inStatus = new Map(st.body.strategies.map((s) => [s.id, s]));
      expect(inStatus.get('bar-bug')).toMatchObject({
        running: false,
        status: 'failed',
        failure: byId.get('bar-bug')?.failure,
      });
      expect(inStatus.get('steady')).toMatchObject({ status: 'running', failure: null });

      const text = await (await fetch(`http://127.0.0.1:${metrics?.port}/metrics`)).text();
      expect(text).toContain('trading_strategy_failures_total{strategy="timer-bug"} 1');
      expect(text).toContain('trading_strategy_failures_total{strategy="bar-bug"} 1');
      expect(text).toContain('trading_strategy_failures_total{strategy="steady"} 0');

      const audited = audit.entries.filter((e) => e.kind === 'strategy.failed');
      expect(audited.map((e) => [e.actor, e.data['hook'], e.data['code']]).sort()).toEqual([
        ['bar-bug', 'onBar', 'ERR_STRATEGY_FAILED'],
        ['timer-bug', 'onTimer', 'ERR_STRATEGY_FAILED'],
      ]);
      // One error line per failure (the notifier forwards error lines), naming code, strategy and hook.
      const errors = lines.filter((l) => l['level'] === 50);
      expect(errors.map((l) => [l['strategyId'], l['hook'], l['code']]).sort()).toEqual([
        ['bar-bug', 'onBar', 'ERR_STRATEGY_FAILED'],
        ['timer-bug', 'onTimer', 'ERR_STRATEGY_FAILED'],
      ]);
      expect(errors.find((l) => l['strategyId'] === 'bar-bug')?.['symbol']).toBe('BTC/USDT');
    } finally {
      await metrics?.stop();
      await rt.stop();
    }
  }, 90_000);
});
