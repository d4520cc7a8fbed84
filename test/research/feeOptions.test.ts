/**
 * Research runs honour the venue's fee and slippage options: the settings carry the maker and
 * taker rates and the quoted spread as JSON to worker threads (and through Redis), and a
 * combination evaluated there trades exactly as `qts backtest` with the same options does.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import { toFixed } from '../../src/core/Fixed.js';
import { randomWalkSeries } from '../../src/data/syntheticSeries.js';
import { parseSizing } from '../../src/portfolio/Sizer.js';
import type { BacktestSettings } from '../../src/research/BacktestSettings.js';
import {
  DEFAULT_BACKTEST_SETTINGS,
  backtestConfig,
  checkSettings,
} from '../../src/research/BacktestSettings.js';
import { findObjective } from '../../src/research/objectives.js';
import { optimize } from '../../src/research/optimize.js';
import { buildParamSpace } from '../../src/research/ParamSpace.js';
import { ThreadPoolEvaluator } from '../../src/research/ThreadPoolEvaluator.js';
import { findStrategy } from '../../src/strategies/registry.js';
import { candleCsvText, walkCandleRows } from '../support/walkCandleCsv.js';
import { qtsAsync as qts } from '../support/runQts.js';

const series = [
  randomWalkSeries({ symbol: 'SYN/USDT', timeframe: '1h', length: 2000, seed: 11, volatility: 0.01 }),
];
const strategy = findStrategy('sma-cross');
const space = buildParamSpace(strategy, ['fast=10', 'slow=30']);
const settings: BacktestSettings = {
  ...DEFAULT_BACKTEST_SETTINGS,
  makerFee: 0.0001,
  takerFee: 0.0025,
  spreadBps: 30,
  lot: 0.001,
};

describe('fee and slippage settings in a research run', () => {
  let pool: ThreadPoolEvaluator;
  beforeAll(() => {
    pool = ThreadPoolEvaluator.start({ series, strategyId: strategy.id, settings, workers: 1 });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('a worker thread backtests with the maker and taker rates and the spread of the settings', async () => {
    const out = await optimize(pool, {
      strategy,
      space,
      method: 'grid',
      objective: findObjective('sharpe'),
      seed: 1,
    });
    const direct = runBacktest({
      series,
      strategy,
      params: { fast: 10, slow: 30 },
      initialCash: settings.initialCash,
      commission: settings.commission,
      makerFee: 0.0001,
      takerFee: 0.0025,
      fill: { fillAt: settings.fill, slippage: { kind: 'spread', spreadBps: 30 } },
      sizing: parseSizing(settings.sizing, toFixed('0.001')),
      seed: settings.seed,
    });
    const plain = runBacktest({
      series,
      strategy,
      params: { fast: 10, slow: 30 },
      initialCash: settings.initialCash,
      commission: settings.commission,
      sizing: parseSizing(settings.sizing, toFixed('0.001')),
      seed: settings.seed,
    });
    expect(direct.report.trades).toBeGreaterThan(10);
    // Every market fill paid the taker rate, on a price half the spread worse.
    for (const f of direct.fills) expect(f.fee).toBeCloseTo(f.quantity * f.price * 0.0025, 8);
    expect(out.rows).toHaveLength(1);
    expect(out.rows[0]?.tradeLogSha256).toBe(direct.report.tradeLogSha256);
    expect(out.rows[0]?.tradeLogSha256).not.toBe(plain.report.tradeLogSha256);
  });

  it('settings from before these fields existed run as they always did', () => {
    const {
      makerFee: _m,
      takerFee: _t,
      spreadBps: _s,
      ...old
    } = { ...DEFAULT_BACKTEST_SETTINGS, commission: 0.002, slippageBps: 5 };
    expect(() => checkSettings(old)).not.toThrow();
    const cfg = backtestConfig(old, series, strategy, { fast: 10, slow: 30 });
    expect(cfg).not.toHaveProperty('makerFee');
    expect(cfg).not.toHaveProperty('takerFee');
    expect(cfg.commission).toBe(0.002);
    expect(cfg.fill?.slippage).toEqual({ kind: 'bps', bps: 5 });
  });

  it('checkSettings refuses both slippage models and a fee rate out of range', () => {
    let refused: unknown;
    try {
      checkSettings({ ...DEFAULT_BACKTEST_SETTINGS, slippageBps: 5, spreadBps: 10 });
    } catch (e) {
      refused = e;
    }
    expect(refused).toMatchObject({ code: 'ERR_INVALID_OPTION', message: /--slippage-bps and --spread-bps/ });
    expect(() => checkSettings({ ...DEFAULT_BACKTEST_SETTINGS, makerFee: -0.1 })).toThrow(/maker-fee/);
    expect(() => checkSettings({ ...DEFAULT_BACKTEST_SETTINGS, takerFee: 1 })).toThrow(/taker-fee/);
    expect(() => checkSettings({ ...DEFAULT_BACKTEST_SETTINGS, spreadBps: 10_000 })).toThrow(/spread-bps/);
  });
});

describe('qts optimize with --maker-fee, --taker-fee and --spread-bps', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qts-research-fees-'));
  const data = join(dir, 'WALK_USDT-1m.csv');
  writeFileSync(data, candleCsvText(walkCandleRows(3000)));
  const common = ['--data', data, '--strategy', 'sma-cross', '--fill', 'close', '--lot', '0.001'];
  const fees = ['--maker-fee', '0', '--taker-fee', '0.003', '--spread-bps', '40'];

  it('its best combination trades as qts backtest does with the same options', async () => {
    const optJson = join(dir, 'opt.json');
    const [opt, same, plain] = await Promise.all([
      qts(
        ['optimize', ...common, ...fees, '--param', 'fast=10', '--param', 'slow=30', '--workers', '1'].concat(
          ['--no-progress', '--json', optJson],
        ),
      ),
      qts(['backtest', ...common, ...fees, '--params', 'fast=10,slow=30', '--no-progress']),
      qts(['backtest', ...common, '--params', 'fast=10,slow=30', '--no-progress']),
    ]);
    expect(opt.code, opt.stderr).toBe(0);
    expect(same.code, same.stderr).toBe(0);
    const report = JSON.parse(readFileSync(optJson, 'utf8')) as {
      best: { tradeLogSha256: string };
      backtest: Record<string, unknown>;
    };
    const sha = (stdout: string): string | undefined => /trade log sha256\s+([0-9a-f]{64})/.exec(stdout)?.[1];
    expect(report.best.tradeLogSha256).toBe(sha(same.stdout));
    expect(report.best.tradeLogSha256).not.toBe(sha(plain.stdout));
    expect(report.backtest).toMatchObject({ makerFee: 0, takerFee: 0.003, spreadBps: 40, slippageBps: null });
  });

  it('refuses --slippage-bps with --spread-bps with a coded error (exit 2)', async () => {
    const r = await qts([
      'optimize',
      ...common,
      '--slippage-bps',
      '5',
      '--spread-bps',
      '10',
      '--no-progress',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'error ERR_INVALID_OPTION: --slippage-bps and --spread-bps are two slippage models: give one of them, not both',
    );
  });
});
