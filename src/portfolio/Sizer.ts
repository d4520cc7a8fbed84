import type { Fixed } from '../core/Fixed.js';
import {
  ONE,
  ZERO,
  add,
  div,
  divTrunc,
  floorToStep,
  fromNumber,
  mul,
  parseFixed,
  toFixed,
} from '../core/Fixed.js';
import { QtsError } from '../core/QtsError.js';
import type { Instrument } from '../model/Instrument.js';
import { buyFeeRateOnCash } from '../model/Instrument.js';

/**
 * How many units a buy without an explicit quantity gets.
 * - all-in: floor(cash / (price × (1 + commission))) in steps of `step` (backtrader's all-in sizer);
 *   floor(cash / price) when the instrument takes a buy's fee from the coins bought;
 * - fixed: always `quantity`;
 * - percent: `percent`% of equity at the price, in steps.
 */
export type SizingSpec =
  | { readonly kind: 'all-in'; readonly step: Fixed }
  | { readonly kind: 'fixed'; readonly quantity: Fixed }
  | { readonly kind: 'percent'; readonly percent: number; readonly step: Fixed };

export interface SizingInput {
  readonly instrument: Instrument;
  readonly price: number;
  /** Spendable cash in the instrument's settle currency. */
  readonly cash: Fixed;
  readonly equity: number;
  /**
   * Perpetuals: the symbol's leverage. A position then costs notional / leverage of margin
   * plus the fee on the notional, so all-in buys floor(cash / (price × (1/leverage + fee))).
   */
  readonly leverage?: number;
}

/** Quantity for a buy under `spec`; zero when nothing affordable. */
export function sizeOrder(spec: SizingSpec, input: SizingInput): Fixed {
  if (!(input.price > 0) || !Number.isFinite(input.price)) return ZERO;
  const px = fromNumber(input.price);
  const inst = input.instrument;
  const lev = inst.kind === 'PERPETUAL' ? input.leverage : undefined;
  // A spot buy whose fee comes out of the coins bought (Binance's 'get') costs the bare
  // notional: cash buys floor(cash / price) and holds that less the fee.
  const feeFactor =
    lev === undefined ? add(ONE, buyFeeRateOnCash(inst)) : add(div(ONE, fromNumber(lev)), inst.takerFee);
  switch (spec.kind) {
    case 'fixed':
      return spec.quantity;
    case 'all-in': {
      if (input.cash <= 0n) return ZERO;
      return floorToStep(divTrunc(input.cash, mul(px, feeFactor)), spec.step);
    }
    case 'percent': {
      const budget = toFixed((input.equity * spec.percent) / 100);
      const affordable = input.cash < budget ? input.cash : budget;
      if (affordable <= 0n) return ZERO;
      return floorToStep(divTrunc(affordable, mul(px, feeFactor)), spec.step);
    }
  }
}

/** Parses "all-in", "fixed:N" or "percent:P" (as the CLI takes them). */
export function parseSizing(text: string, step: Fixed): SizingSpec {
  if (text === 'all-in') return { kind: 'all-in', step };
  const [kind, value] = text.split(':');
  if (kind === 'fixed' && value !== undefined) {
    const quantity = positiveDecimal(value);
    if (quantity !== undefined) return { kind: 'fixed', quantity };
  }
  if (kind === 'percent' && value !== undefined && Number(value) > 0 && Number(value) <= 100) {
    return { kind: 'percent', percent: Number(value), step };
  }
  throw new QtsError(
    'ERR_INVALID_SIZING',
    `invalid sizing "${text}" (expected all-in, fixed:QTY or percent:1-100)`,
  );
}

/** A positive decimal quantity, or undefined for anything else ("abc", "0", "-1"). */
function positiveDecimal(text: string): Fixed | undefined {
  try {
    const q = parseFixed(text);
    return q > 0n ? q : undefined;
  } catch {
    return undefined;
  }
}
