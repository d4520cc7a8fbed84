import { toNumber } from '../core/Fixed.js';
import type { Instrument } from '../model/Instrument.js';
import { FeeSide, feeInBase } from '../model/Instrument.js';

/**
 * Per symbol whose fees may take coins (spot, feeSide not quote), the position under which a
 * round trip counts as flat: what a whole-position sell cannot take (see PositionViews and
 * sellableWithFee), under a lot, or a lot and its fee where the sell's fee is in the coin.
 * The strategy sees such dust as flat and buys again; the trip list must agree.
 */
export function dustBelow(instruments: readonly Instrument[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const inst of instruments) {
    if (inst.kind !== 'SPOT' || inst.feeSide === FeeSide.QUOTE) continue;
    const lot = toNumber(inst.lotSize);
    const rate = Math.max(toNumber(inst.makerFee), toNumber(inst.takerFee));
    out.set(inst.symbol, feeInBase(inst, 'SELL') ? lot * (1 + rate) : lot);
  }
  return out;
}
