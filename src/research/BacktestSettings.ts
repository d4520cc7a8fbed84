import type { BacktestConfig } from '../backtest/runBacktest.js';
import { toFixed } from '../core/Fixed.js';
import { QtsError } from '../core/QtsError.js';
import type { BarSeries } from '../model/BarSeries.js';
import { parseSizing } from '../portfolio/Sizer.js';
import type { SlippageModel } from '../sim/FillModel.js';
import type { AnyStrategyClass } from '../strategy/Strategy.js';

/**
 * Everything of a backtest but the data, the strategy and its parameters, as plain JSON:
 * it travels to worker threads and through Redis to other machines, and every combination
 * of a research run is backtested under the same settings.
 */
export interface BacktestSettings {
  readonly initialCash: number;
  /** Fee rate per fill, maker and taker, unless `makerFee` or `takerFee` set that side apart. */
  readonly commission: number;
  /**
   * Fee rate of maker fills, or null for the commission. Optional, like `takerFee` and
   * `spreadBps`: settings written before these fields existed read as the old behaviour.
   */
  readonly makerFee?: number | null;
  /** Fee rate of taker fills, or null (or absent) for the commission. */
  readonly takerFee?: number | null;
  readonly fill: 'close' | 'next-open';
  readonly intrabar: 'pessimistic' | 'ohlc' | 'adaptive';
  /** Slippage on taker fills in basis points, or null for none. */
  readonly slippageBps: number | null;
  /**
   * A quoted spread in basis points, half of which every taker fill crosses, or null (or
   * absent) for none. Exclusive with `slippageBps`: one slippage model per run.
   */
  readonly spreadBps?: number | null;
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
  makerFee: null,
  takerFee: null,
  fill: 'next-open',
  intrabar: 'pessimistic',
  slippageBps: null,
  spreadBps: null,
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
  const rate = (name: string, v: number | null | undefined): void => {
    if (v !== null && v !== undefined && !(v >= 0 && v < 1)) bad(name, v);
  };
  rate('maker-fee', s.makerFee);
  rate('taker-fee', s.takerFee);
  if (s.slippageBps !== null && !(s.slippageBps >= 0 && s.slippageBps < 10_000))
    bad('slippage-bps', s.slippageBps);
  const spread = s.spreadBps ?? null;
  if (spread !== null && !(spread >= 0 && spread < 10_000)) bad('spread-bps', spread);
  checkOneSlippageModel(s.slippageBps, spread);
  if (s.volumeShare !== null && !(s.volumeShare > 0 && s.volumeShare <= 1))
    bad('volume-share', s.volumeShare);
  if (!(s.latencyMs >= 0 && Number.isFinite(s.latencyMs))) bad('latency', s.latencyMs);
  if (!(s.lot > 0 && Number.isFinite(s.lot))) bad('lot', s.lot);
  if (!Number.isSafeInteger(s.seed)) bad('seed', s.seed);
  parseSizing(s.sizing, toFixed(s.lot));
  return s;
}

/**
 * Refuses a fixed slippage and a spread together: both price the same taker fill, and adding
 * or choosing one of them silently would run a model the user did not ask for.
 */
export function checkOneSlippageModel(slippageBps: number | null, spreadBps: number | null): void {
  if (slippageBps !== null && spreadBps !== null)
    throw new QtsError(
      'ERR_INVALID_OPTION',
      '--slippage-bps and --spread-bps are two slippage models: give one of them, not both',
    );
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
    ...(settings.makerFee === null || settings.makerFee === undefined ? {} : { makerFee: settings.makerFee }),
    ...(settings.takerFee === null || settings.takerFee === undefined ? {} : { takerFee: settings.takerFee }),
    fill: {
      fillAt: settings.fill,
      intrabar: settings.intrabar,
      slippage: slippageOf(settings),
      volumeShare: settings.volumeShare,
      latencyMs: settings.latencyMs,
    },
    sizing: parseSizing(settings.sizing, toFixed(settings.lot)),
    seed: settings.seed,
  };
}

/** The slippage model of the settings: a fixed bps, half a quoted spread, or none. */
export function slippageOf(settings: Pick<BacktestSettings, 'slippageBps' | 'spreadBps'>): SlippageModel {
  if (settings.slippageBps !== null) return { kind: 'bps', bps: settings.slippageBps };
  const spread = settings.spreadBps ?? null;
  return spread === null ? { kind: 'none' } : { kind: 'spread', spreadBps: spread };
}
