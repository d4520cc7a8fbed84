import { QtsError } from '../core/QtsError.js';
import { loadFundingRates } from '../data/loadFundingRates.js';
import { loadMarkPrices } from '../data/loadMarkPrices.js';
import { MarginMode } from '../model/MarginMode.js';
import type { FuturesBacktestConfig, FuturesStats } from './FuturesRun.js';

/** Futures options as the CLI takes them (text, validated here). */
export interface FuturesOptionsText {
  readonly leverage?: string;
  readonly margin?: string;
  readonly funding?: readonly string[];
  readonly mark?: readonly string[];
}

/**
 * Builds a futures backtest configuration from CLI text: leverage a whole number ≥ 1 (its
 * ceiling is checked per instrument), margin `isolated` or `cross`, funding-rate and
 * mark-price files loaded (their errors name file and line). Mark-file warnings are
 * returned for the caller to print.
 */
export function futuresBacktestConfig(opts: FuturesOptionsText): {
  config: FuturesBacktestConfig;
  warnings: string[];
} {
  const leverageText = opts.leverage ?? '1';
  // Digits only: Number() also reads "0x10" as 16 and "1e1" as 10, which no one means as a leverage.
  const leverage = /^\d+$/.test(leverageText) ? Number(leverageText) : Number.NaN;
  if (!Number.isInteger(leverage) || leverage < 1)
    throw new QtsError(
      'ERR_INVALID_OPTION',
      `--leverage: invalid value "${leverageText}" (a whole number ≥ 1)`,
    );
  const marginText = (opts.margin ?? 'isolated').toLowerCase();
  if (marginText !== 'isolated' && marginText !== 'cross')
    throw new QtsError('ERR_INVALID_OPTION', `--margin: invalid value "${opts.margin}" (isolated or cross)`);
  const warnings: string[] = [];
  const marks = (opts.mark ?? []).map((f) => {
    const loaded = loadMarkPrices(f);
    for (const w of loaded.warnings) warnings.push(w.message);
    return loaded.marks;
  });
  return {
    config: {
      leverage,
      marginMode: marginText === 'cross' ? MarginMode.CROSS : MarginMode.ISOLATED,
      funding: (opts.funding ?? []).map((f) => loadFundingRates(f)),
      marks,
    },
    warnings,
  };
}

/** The futures lines of the human summary of a run. */
export function futuresSummaryLines(f: FuturesStats): string[] {
  return [
    `futures           ${f.marginMode.toLowerCase()} margin, leverage ${f.leverage}x · max leverage used ${f.maxLeverageUsed.toFixed(2)}x · max margin usage ${(f.maxMarginUsage * 100).toFixed(2)}%`,
    `funding           net ${f.fundingNet} (paid ${f.fundingPaid}, received ${f.fundingReceived}) over ${f.fundingPayments} settlements`,
    `liquidations      ${f.liquidations} · fees ${f.liquidationFees} · insurance covered ${f.insuranceCovered}`,
  ];
}
