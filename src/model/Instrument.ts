import type { Fixed, Numeric } from '../core/Fixed.js';
import { toFixed } from '../core/Fixed.js';
import { QtsError } from '../core/QtsError.js';
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
  /**
   * Perpetuals: maintenance margin brackets by position notional, lowest first (Binance
   * "leverage brackets": maintenance margin = notional × rate − maintenance amount).
   */
  readonly maintenanceTiers: readonly MaintenanceTier[];
  /** Perpetuals: liquidation clearance fee, a rate of the liquidated notional (capped at the margin left). */
  readonly liquidationFeeRate: Fixed;
}

/**
 * One maintenance-margin bracket: applies to positions with notional in
 * [notionalFloor, notionalCap). `maintenanceAmount` is Binance's "cum", which keeps the
 * maintenance margin continuous across brackets.
 */
export interface MaintenanceTier {
  readonly notionalFloor: Fixed;
  /** Exclusive upper bound; undefined for the last bracket. */
  readonly notionalCap: Fixed | undefined;
  readonly rate: Fixed;
  readonly maintenanceAmount: Fixed;
}

export interface MaintenanceTierSpec {
  notionalFloor: Numeric;
  notionalCap?: Numeric;
  rate: Numeric;
  maintenanceAmount?: Numeric;
}

/** Flat maintenance-margin rate when an instrument names no brackets (Binance's lowest bracket of many USDT-M pairs). */
export const DEFAULT_MAINTENANCE_RATE = '0.005';
/** Liquidation clearance fee when an instrument names none. */
export const DEFAULT_LIQUIDATION_FEE_RATE = '0.0125';
/** Leverage ceiling of a perpetual when the spec names none (Binance's highest). */
export const DEFAULT_MAX_LEVERAGE = 125;

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
  /** Maintenance brackets; or a flat rate with `maintenanceRate`. */
  maintenanceTiers?: readonly MaintenanceTierSpec[];
  maintenanceRate?: Numeric;
  liquidationFeeRate?: Numeric;
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
    maxLeverage: spec.maxLeverage ?? (kind === 'PERPETUAL' ? DEFAULT_MAX_LEVERAGE : 1),
    maintenanceTiers: maintenanceTiers(spec),
    liquidationFeeRate: toFixed(spec.liquidationFeeRate ?? DEFAULT_LIQUIDATION_FEE_RATE),
  };
}

function maintenanceTiers(spec: InstrumentSpec): MaintenanceTier[] {
  const given = spec.maintenanceTiers ?? [
    { notionalFloor: 0, rate: spec.maintenanceRate ?? DEFAULT_MAINTENANCE_RATE },
  ];
  const tiers = given.map((t) => ({
    notionalFloor: toFixed(t.notionalFloor),
    notionalCap: t.notionalCap === undefined ? undefined : toFixed(t.notionalCap),
    rate: toFixed(t.rate),
    maintenanceAmount: toFixed(t.maintenanceAmount ?? 0),
  }));
  tiers.forEach((t, i) => {
    const next = tiers[i + 1];
    const ok =
      t.rate >= 0n &&
      t.rate < 10n ** 16n &&
      (i > 0 || t.notionalFloor === 0n) &&
      (next === undefined ? t.notionalCap === undefined : t.notionalCap === next.notionalFloor);
    if (!ok)
      throw new QtsError(
        'ERR_INVALID_INSTRUMENT',
        `${spec.symbol}: maintenance brackets must start at 0, follow each other and have a rate in [0, 1)`,
      );
  });
  return tiers;
}
