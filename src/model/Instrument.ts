import type { Fixed, Numeric } from '../core/Fixed.js';
import { toFixed } from '../core/Fixed.js';
import type { InstrumentKind } from './enums.js';

/**
 * A tradable contract as a venue defines it. Orders are checked against its tick and lot
 * steps and minimum notional before they leave the engine. Perpetual fields are present
 * now so the futures work extends the model rather than reshaping it.
 */
export interface Instrument {
  /** Our symbol, ccxt style: "BTC/USDT" spot, "BTC/USDT:USDT" perpetual. */
  readonly symbol: string;
  readonly venue: string;
  readonly kind: InstrumentKind;
  readonly base: string;
  readonly quote: string;
  /** Currency in which PnL and margin settle (quote for spot and linear perpetuals). */
  readonly settle: string;
  readonly tickSize: Fixed;
  readonly lotSize: Fixed;
  readonly minQty: Fixed;
  readonly minNotional: Fixed;
  readonly makerFee: Fixed;
  readonly takerFee: Fixed;
  /** Perpetuals: contract multiplier (1 for linear USDT-M) and the leverage ceiling. */
  readonly contractSize: Fixed;
  readonly maxLeverage: number;
}

export interface InstrumentSpec {
  symbol: string;
  venue?: string;
  kind?: InstrumentKind;
  tickSize?: Numeric;
  lotSize?: Numeric;
  minQty?: Numeric;
  minNotional?: Numeric;
  makerFee?: Numeric;
  takerFee?: Numeric;
  contractSize?: Numeric;
  maxLeverage?: number;
}

/** Builds an Instrument from a compact spec; base/quote come from the symbol ("ETH/BTC"). */
export function makeInstrument(spec: InstrumentSpec): Instrument {
  const [pair, settleRaw] = spec.symbol.split(':');
  const [base, quote] = (pair ?? '').split('/');
  if (!base || !quote) throw new Error(`symbol must look like BASE/QUOTE: ${spec.symbol}`);
  const kind = spec.kind ?? (settleRaw ? 'PERPETUAL' : 'SPOT');
  return {
    symbol: spec.symbol,
    venue: spec.venue ?? 'SIM',
    kind,
    base,
    quote,
    settle: settleRaw ?? quote,
    tickSize: toFixed(spec.tickSize ?? '0.00000001'),
    lotSize: toFixed(spec.lotSize ?? '0.00000001'),
    minQty: toFixed(spec.minQty ?? 0),
    minNotional: toFixed(spec.minNotional ?? 0),
    makerFee: toFixed(spec.makerFee ?? '0.001'),
    takerFee: toFixed(spec.takerFee ?? '0.001'),
    contractSize: toFixed(spec.contractSize ?? 1),
    maxLeverage: spec.maxLeverage ?? 1,
  };
}
