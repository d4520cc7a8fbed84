import type { BacktestConfig } from '../backtest/runBacktest.js';
import { toFixed } from '../core/Fixed.js';
import { QtsError } from '../core/QtsError.js';
import type { BarSeries } from '../model/BarSeries.js';
import { parseSizing } from '../portfolio/Sizer.js';
import type { AnyStrategyClass } from '../strategy/Strategy.js';

/**
 * Everything of a backtest but the data, the strategy and its parameters, as plain JSON:
 * it travels to worker threads and through Redis to other machines, and every combination
 * of a research run is backtested under the same settings.
 */
export interface BacktestSettings {
  readonly initialCash: number;
  /** Fee rate per fill, maker and taker. */
  readonly commission: number;
  readonly fill: 'close' | 'next-open';
  readonly intrabar: 'pessimistic' | 'ohlc' | 'adaptive';
  /** Slippage on taker fills in basis points, or null for none. */
  readonly slippageBps: number | null;
  /** Most of a bar's volume one order may fill, or null for no limit. */
  readonly volumeShare: number | null;
  readonly latencyMs: number;
  /** `all-in`, `fixed:Q` or `percent:P`. */
  readonly sizing: string;
  /** Quantity step of the sizer. */
  readonly lot: number;
  /** Seed of the engine's random choices. */
  readonly seed: number;
}

/** The defaults of `qts backtest`. */
export const DEFAULT_BACKTEST_SETTINGS: BacktestSettings = {
  initialCash: 100_000,
  commission: 0.001,
  fill: 'next-open',
  intrabar: 'pessimistic',
  slippageBps: null,
  volumeShare: null,
  latencyMs: 0,
  sizing: 'all-in',
  lot: 1,
  seed: 42,
};

/** Settings with a check of every number, so a bad one fails before any worker starts. */
export function checkSettings(s: BacktestSettings): BacktestSettings {
  const bad = (name: string, v: unknown): never => {
    throw new QtsError('ERR_INVALID_OPTION', `${name}: invalid value "${String(v)}"`);
  };
  if (!(s.initialCash > 0) || !Number.isFinite(s.initialCash)) bad('cash', s.initialCash);
  if (!(s.commission >= 0 && s.commission < 1)) bad('commission', s.commission);
  if (s.slippageBps !== null && !(s.slippageBps >= 0 && Number.isFinite(s.slippageBps)))
    bad('slippage-bps', s.slippageBps);
  if (s.volumeShare !== null && !(s.volumeShare > 0 && s.volumeShare <= 1))
    bad('volume-share', s.volumeShare);
  if (!(s.latencyMs >= 0 && Number.isFinite(s.latencyMs))) bad('latency', s.latencyMs);
  if (!(s.lot > 0 && Number.isFinite(s.lot))) bad('lot', s.lot);
  if (!Number.isSafeInteger(s.seed)) bad('seed', s.seed);
  parseSizing(s.sizing, toFixed(s.lot));
  return s;
}

/** The runBacktest config of one combination under these settings. */
export function backtestConfig(
  settings: BacktestSettings,
  series: readonly BarSeries[],
  strategy: AnyStrategyClass,
  params: Readonly<Record<string, unknown>>,
  initialCash: number = settings.initialCash,
): BacktestConfig {
  return {
    series,
    strategy,
    params,
    initialCash,
    commission: settings.commission,
    fill: {
      fillAt: settings.fill,
      intrabar: settings.intrabar,
      slippage: settings.slippageBps === null ? { kind: 'none' } : { kind: 'bps', bps: settings.slippageBps },
      volumeShare: settings.volumeShare,
      latencyMs: settings.latencyMs,
    },
    sizing: parseSizing(settings.sizing, toFixed(settings.lot)),
    seed: settings.seed,
  };
}
