import type { Fixed } from '../core/Fixed.js';
import { ZERO, abs, add, div, fromNumber, mul, sub } from '../core/Fixed.js';
import type { Instrument, MaintenanceTier } from '../model/Instrument.js';

/*
 * Margin formulas of Binance USDⓈ-M perpetuals (one-way mode), exact in Fixed.
 * - Initial margin = notional / leverage.
 *   https://www.binance.com/en/support/faq/how-to-calculate-cost-required-to-open-a-position-in-perpetual-futures-contracts-87fa7ee33b574f7084d42bd2ce2e463b
 * - Maintenance margin = notional × maintenance rate − maintenance amount ("cum") of the
 *   bracket the notional falls in. https://www.binance.com/en/support/faq/leverage-and-margin-of-usd%E2%93%A2-m-futures-360033162192
 * - Liquidation price (one position, one-way mode):
 *     LP = (WB − TMM₁ + UPNL₁ + cum − Side × Pos × EP) / (Pos × MMR − Side × Pos)
 *   WB: the position's margin (isolated) or the cross wallet; TMM₁ / UPNL₁: maintenance
 *   margin and unrealized PnL of all OTHER cross positions (0 in isolated mode).
 *   https://www.binance.com/en/support/faq/how-to-calculate-liquidation-price-of-usd%E2%93%A2-m-futures-contracts-b3c689c1f50a44cabb3a84e663b81d93
 * With a signed quantity q = Side × Pos and cost basis C = q × EP the same formula reads
 *   LP = (B + cum − C) / (|q| × MMR − q), B = WB − TMM₁ + UPNL₁,
 * which is the price where B + q × LP − C = |q| × LP × MMR − cum (margin balance equals
 * maintenance margin).
 */

/** The maintenance bracket of a position notional (the last one covers everything above). */
export function tierFor(inst: Instrument, notional: Fixed): MaintenanceTier {
  const tiers = inst.maintenanceTiers;
  for (const t of tiers) if (t.notionalCap === undefined || notional < t.notionalCap) return t;
  return tiers[tiers.length - 1] as MaintenanceTier;
}

/** Maintenance margin of a position of `notional` (never negative). */
export function maintenanceMargin(inst: Instrument, notional: Fixed): Fixed {
  const t = tierFor(inst, abs(notional));
  const mm = sub(mul(abs(notional), t.rate), t.maintenanceAmount);
  return mm > 0n ? mm : ZERO;
}

/** Initial margin of `notional` at `leverage`. */
export function initialMargin(notional: Fixed, leverage: number): Fixed {
  return div(abs(notional), fromNumber(leverage));
}

/** Unrealized PnL of a signed quantity with cost basis C at `mark`: q × mark − C. */
export function unrealized(qty: Fixed, costBasis: Fixed, mark: Fixed): Fixed {
  return sub(mul(qty, mark), costBasis);
}

/**
 * Price at which a position (signed `qty`, `costBasis`) backed by `backing` (B above) has
 * its margin balance fall to the maintenance margin; undefined when no positive price does
 * (a position backed by more than its notional never liquidates). The bracket is the one
 * the notional at that price falls in, as Binance evaluates it.
 */
export function liquidationPrice(
  inst: Instrument,
  qty: Fixed,
  costBasis: Fixed,
  backing: Fixed,
): Fixed | undefined {
  if (qty === ZERO) return undefined;
  const size = abs(qty);
  for (const t of inst.maintenanceTiers) {
    const denom = sub(mul(size, t.rate), qty);
    if (denom === ZERO) continue;
    const lp = div(sub(add(backing, t.maintenanceAmount), costBasis), denom);
    if (lp <= 0n) continue;
    const notional = mul(size, lp);
    const inTier = notional >= t.notionalFloor && (t.notionalCap === undefined || notional < t.notionalCap);
    if (inTier) return lp;
  }
  return undefined;
}

/** Price at which the position's margin balance is zero: B + q × BP − C = 0. */
export function bankruptcyPrice(qty: Fixed, costBasis: Fixed, backing: Fixed): Fixed | undefined {
  if (qty === ZERO) return undefined;
  const bp = div(sub(costBasis, backing), qty);
  return bp > 0n ? bp : undefined;
}

/**
 * Whether a margin balance has fallen to the maintenance margin (Binance liquidates when
 * margin ratio = maintenance margin / margin balance reaches 100 %).
 */
export function breached(marginBalance: Fixed, maintenance: Fixed): boolean {
  return marginBalance <= maintenance;
}
