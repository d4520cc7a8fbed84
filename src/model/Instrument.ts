import type { Fixed, Numeric } from '../core/Fixed.js';
import { ONE, ZERO, add, divTrunc, floorToStep, max, neg, toFixed } from '../core/Fixed.js';
import { QtsError } from '../core/QtsError.js';
import type { InstrumentKind, OrderSide } from './enums.js';

/**
 * In which currency a spot fill pays its fee, as ccxt names it (`market.feeSide`): 'quote'
 * or 'base' always that one; 'get' the currency received (Binance spot: a buy pays in the
 * coin bought, a sell in the quote received); 'give' the currency given.
 */
export const FeeSide = { QUOTE: 'quote', BASE: 'base', GET: 'get', GIVE: 'give' } as const;
export type FeeSide = (typeof FeeSide)[keyof typeof FeeSide];

/** Whether `x` names a FeeSide (what an exchange reports may be anything). */
export function isFeeSide(x: unknown): x is FeeSide {
  return x === 'quote' || x === 'base' || x === 'get' || x === 'give';
}

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
  /**
   * Spot: the currency a fill's fee is paid in (see FeeSide). A fee in the base coin is
   * qty × rate and comes out of the coins (a buy delivers qty − fee; a sell needs qty + fee
   * held); a fee in the quote is notional × rate. Perpetuals ignore it: their fees always
   * settle in `settle`, whatever this says.
   */
  readonly feeSide: FeeSide;
  /**
   * Unit a fee is rounded down to, as the exchange books commissions (Binance: 8 decimals);
   * 0 keeps the exact product. Applies only when feeSide is not 'quote'.
   */
  readonly feeStep: Fixed;
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
  /** Default 'quote': every fee in the quote currency. */
  feeSide?: FeeSide;
  /** Default 0: fees exact. */
  feeStep?: Numeric;
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
  if (!base || !quote)
    throw new QtsError('ERR_INVALID_INSTRUMENT', `symbol must look like BASE/QUOTE: ${spec.symbol}`);
  const kind = spec.kind ?? (settleRaw ? 'PERPETUAL' : 'SPOT');
  const feeSide = spec.feeSide ?? FeeSide.QUOTE;
  const feeStep = toFixed(spec.feeStep ?? 0);
  if (!isFeeSide(feeSide) || feeStep < 0n)
    throw new QtsError(
      'ERR_INVALID_INSTRUMENT',
      `${spec.symbol}: feeSide must be quote, base, get or give and feeStep ≥ 0`,
    );
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
    feeSide,
    feeStep,
    contractSize: toFixed(spec.contractSize ?? 1),
    maxLeverage: spec.maxLeverage ?? (kind === 'PERPETUAL' ? DEFAULT_MAX_LEVERAGE : 1),
    maintenanceTiers: maintenanceTiers(spec),
    liquidationFeeRate: toFixed(spec.liquidationFeeRate ?? DEFAULT_LIQUIDATION_FEE_RATE),
  };
}

/**
 * Whether a fill on `side` pays its fee in the base coin rather than in quote/settle: spot
 * only, following the instrument's feeSide.
 */
export function feeInBase(inst: Instrument, side: OrderSide): boolean {
  if (inst.kind !== 'SPOT') return false;
  switch (inst.feeSide) {
    case FeeSide.QUOTE:
      return false;
    case FeeSide.BASE:
      return true;
    case FeeSide.GET:
      return side === 'BUY';
    case FeeSide.GIVE:
      return side === 'SELL';
  }
}

/**
 * The most a sell may ask for out of `held` coins, when the instrument also takes the sell's
 * fee in the base coin (feeSide 'base', or 'give': the seller gives the coin): the exchange
 * then needs qty + qty × rate of them, and refuses a sell of everything held for want of
 * coins. The quantity is held ÷ (1 + rate), floored to the lot, at the higher of the maker
 * and taker rates: a limit sell placed below the market takes. What is left over (under a lot
 * and the fee's rounding) stays in the account as dust. Where the fee is paid in the quote
 * currency the whole of `held` can be sold.
 */
export function sellableWithFee(inst: Instrument, held: Fixed): Fixed {
  if (!feeInBase(inst, 'SELL')) return held;
  const rate = max(inst.makerFee, inst.takerFee);
  // Truncated division: qty × (1 + rate) never exceeds held, and the venue rounds the fee down.
  return floorToStep(divTrunc(held, add(ONE, rate)), inst.lotSize);
}

/**
 * What an order flattening a signed position of `held` may ask for: a short is bought back
 * whole; a long sells what leaves its fee's coins held where the sell's fee is taken in the
 * base coin (sellableWithFee), all of it otherwise — floored to the lot either way, since the
 * venue refuses any other quantity: a buy whose fee came out of the coins bought (Binance spot)
 * leaves 0.2480517 held with lots of 0.0001, and the kill switch's flatten or the API's close
 * of it must sell 0.248, not be denied. Zero: only dust that no order can take.
 */
export function closingQty(inst: Instrument, held: Fixed): Fixed {
  return floorToStep(held > 0n ? sellableWithFee(inst, held) : neg(held), inst.lotSize);
}

/**
 * Dust: a position that is not zero yet too small for any closing order, i.e. what
 * closingQty may ask for is under one lot (a fee taken from the coin bought leaves 99.9 held,
 * 99 sold with whole-coin lots; or one lot held where the sell's fee in the coin needs
 * 1 + rate of them). Strategies see it as flat (PositionViews), and the backtest's trip list
 * closes a trip on it (dustAfterFills): one exact rule, so both agree to the last unit. Where
 * the sell's fee is taken in the coin, a long is dust exactly while held < lot × (1 + rate).
 */
export function isDust(inst: Instrument, held: Fixed): boolean {
  return held !== ZERO && closingQty(inst, held) < inst.lotSize;
}

/**
 * The fee rate a buy pays on top of its notional, as risk and sizing price a buy's cost:
 * the taker rate, or none when the fee comes out of the coins bought (Binance spot).
 */
export function buyFeeRateOnCash(inst: Instrument): Fixed {
  return feeInBase(inst, 'BUY') ? ZERO : inst.takerFee;
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
