import type { Fixed } from '../core/Fixed.js';
import { ONE, ZERO, abs, add, fromNumber, isMultipleOf, mul, toNumber } from '../core/Fixed.js';
import type { Instrument } from '../model/Instrument.js';
import { buyFeeRateOnCash } from '../model/Instrument.js';
import type { OrderRequest } from '../model/OrderRequest.js';
import type { TradingState } from './TradingState.js';

/** What a rule may know when it judges one order. */
export interface RiskInput {
  readonly request: OrderRequest;
  readonly instrument: Instrument;
  readonly state: TradingState;
  /** Last traded price, if any. */
  readonly lastPrice: number | undefined;
  /** Signed position in the instrument. */
  readonly positionQty: Fixed;
  /** Settle-currency cash not yet committed to other open buy orders. */
  readonly uncommittedCash: Fixed;
  /** Position quantity not yet committed to other open sell orders (spot). */
  readonly uncommittedQty: Fixed;
  /**
   * What other open orders of the symbol may still take off the position (closing side, not
   * reduce-only; of an OCO group only its largest leg, one leg fills): with the order they must
   * fit in the position for it to count as reducing.
   */
  readonly openClosingQty: Fixed;
  readonly openOrderCount: number;
  /** Who asks (a strategy id, "api:<user>", "kill-switch"). */
  readonly strategyId: string;
  /** |position after a fill of the whole order| × price, when a price is known. */
  readonly positionNotionalAfter: number | undefined;
  /** Σ |position| × price over all symbols after the order, when prices are known. */
  readonly exposureAfter: number | undefined;
  /** Orders approved in the last 60 s. */
  readonly ordersInWindow: number;
  /** Milliseconds since market data of the symbol last arrived (undefined: never). */
  readonly dataAgeMs: number | undefined;
  /** End of the strategy's loss-streak cooldown, when one runs. */
  readonly cooldownUntil: number | undefined;
}

/** Optional ceilings; unset means no limit from that rule. */
export interface RiskLimits {
  readonly maxOrderNotional?: number | undefined;
  readonly maxOpenOrders?: number | undefined;
  /** Largest allowed distance of a limit price from the last price, as a fraction (fat-finger band). */
  readonly priceBandPct?: number | undefined;
  readonly maxPositionNotional?: number | undefined;
  readonly maxTotalExposure?: number | undefined;
  readonly maxOrdersPerMinute?: number | undefined;
  /** No data for this long: no new opening orders (undefined: not checked). */
  readonly staleDataMs?: number | undefined;
}

/** A denial: reason code plus a message a user can act on. */
export interface RiskDenial {
  readonly code: string;
  readonly reason: string;
}

export type RiskRule = (input: RiskInput, limits: RiskLimits) => RiskDenial | undefined;

function deny(code: string, reason: string): RiskDenial {
  return { code, reason };
}

/**
 * Whether the order can only shrink the current position. A plain order counts with what the
 * other open closing orders may still take (`openClosingQty`): two sells each the size of a
 * perpetual long would together turn it short. A reduce-only order never outgrows the position
 * at the venue, whatever else rests.
 */
export function isReducing(req: OrderRequest, positionQty: Fixed, openClosingQty: Fixed = ZERO): boolean {
  if (positionQty === ZERO) return false;
  const long = positionQty > 0n;
  if (long ? req.side !== 'SELL' : req.side !== 'BUY') return false;
  const taking = req.reduceOnly ? req.quantity : add(req.quantity, openClosingQty);
  return taking <= abs(positionQty);
}

/** The price the order would most likely trade at, for notional checks. */
export function referencePrice(input: RiskInput): Fixed | undefined {
  const { request, lastPrice } = input;
  if (request.price !== undefined) return request.price;
  if (request.triggerPrice !== undefined) return request.triggerPrice;
  return lastPrice !== undefined && Number.isFinite(lastPrice) && lastPrice > 0
    ? fromNumber(lastPrice)
    : undefined;
}

export const checkTradingState: RiskRule = (input) => {
  if (input.state === 'HALTED')
    return deny('ERR_RISK_HALTED', 'trading is halted (kill switch or circuit breaker)');
  if (input.state === 'REDUCING' && !isReducing(input.request, input.positionQty, input.openClosingQty)) {
    return deny(
      'ERR_RISK_REDUCING_ONLY',
      'trading state is REDUCING: only position-reducing orders are allowed',
    );
  }
  return undefined;
};

export const checkQuantityAndPrice: RiskRule = ({ request, instrument }) => {
  if (request.quantity <= 0n)
    return deny('ERR_RISK_QUANTITY', `quantity must be > 0 (got ${toNumber(request.quantity)})`);
  if (request.price !== undefined && request.price <= 0n) return deny('ERR_RISK_PRICE', 'price must be > 0');
  if (request.triggerPrice !== undefined && request.triggerPrice <= 0n)
    return deny('ERR_RISK_PRICE', 'triggerPrice must be > 0');
  if (request.trailingPct !== undefined && (request.trailingPct <= 0n || request.trailingPct >= ONE)) {
    return deny('ERR_RISK_PRICE', 'trailingPct must be between 0 and 1');
  }
  const needsPrice =
    request.type === 'LIMIT' || request.type === 'STOP_LIMIT' || request.type === 'TAKE_PROFIT_LIMIT';
  if (needsPrice && request.price === undefined)
    return deny('ERR_RISK_PRICE', `${request.type} order needs a price`);
  const needsTrigger = request.type.startsWith('STOP') || request.type.startsWith('TAKE_PROFIT');
  if (needsTrigger && request.triggerPrice === undefined) {
    return deny('ERR_RISK_PRICE', `${request.type} order needs a triggerPrice`);
  }
  if (request.type === 'TRAILING_STOP' && request.trailingPct === undefined) {
    return deny('ERR_RISK_PRICE', 'TRAILING_STOP order needs trailingPct');
  }
  if (!isMultipleOf(request.quantity, instrument.lotSize)) {
    return deny(
      'ERR_RISK_PRECISION',
      `quantity is not a multiple of the lot size ${toNumber(instrument.lotSize)}`,
    );
  }
  if (!onTick(request.price, instrument.tickSize) || !onTick(request.triggerPrice, instrument.tickSize)) {
    return deny(
      'ERR_RISK_PRECISION',
      `price is not a multiple of the tick size ${toNumber(instrument.tickSize)}`,
    );
  }
  if (request.quantity < instrument.minQty) {
    return deny('ERR_RISK_MIN_QTY', `quantity below the minimum ${toNumber(instrument.minQty)}`);
  }
  return undefined;
};

function onTick(px: Fixed | undefined, tick: Fixed): boolean {
  return px === undefined || isMultipleOf(px, tick);
}

/**
 * A ceiling that cannot be evaluated fails closed: a market order before the symbol's first
 * price (or with another position unmarked) would otherwise pass any notional limit unchecked.
 * Exits are never held back for it (a flatten must go through whatever the data).
 */
function unpriced(input: RiskInput, what: string): RiskDenial | undefined {
  if (input.request.reduceOnly || isReducing(input.request, input.positionQty, input.openClosingQty))
    return undefined;
  return deny('ERR_RISK_NO_PRICE', `no price to check ${what} of ${input.request.symbol} against its limit`);
}

export const checkNotional: RiskRule = (input, limits) => {
  const px = referencePrice(input);
  if (px === undefined)
    return limits.maxOrderNotional === undefined ? undefined : unpriced(input, 'the notional');
  const notional = mul(input.request.quantity, px);
  if (notional < input.instrument.minNotional && !input.request.reduceOnly) {
    return deny(
      'ERR_RISK_MIN_NOTIONAL',
      `notional ${toNumber(notional)} below the minimum ${toNumber(input.instrument.minNotional)}`,
    );
  }
  if (limits.maxOrderNotional !== undefined && toNumber(notional) > limits.maxOrderNotional) {
    return deny(
      'ERR_RISK_MAX_NOTIONAL',
      `notional ${toNumber(notional)} above the limit ${limits.maxOrderNotional}`,
    );
  }
  return undefined;
};

/**
 * Fat-finger band of a limit price. A stop-limit or take-profit-limit's price only goes live
 * once its trigger is hit, so it is measured from the trigger: a protective stop placed
 * further from the market than the band is deliberate, a limit far from its trigger is not.
 */
export const checkPriceBand: RiskRule = (input, limits) => {
  const { request, lastPrice } = input;
  const trigger = request.triggerPrice === undefined ? undefined : toNumber(request.triggerPrice);
  const ref = trigger ?? lastPrice;
  if (limits.priceBandPct === undefined || request.price === undefined || ref === undefined) return undefined;
  const distance = Math.abs(toNumber(request.price) / ref - 1);
  if (distance > limits.priceBandPct) {
    return deny(
      'ERR_RISK_PRICE_BAND',
      `price is ${(distance * 100).toFixed(2)}% from the ${trigger === undefined ? 'last price' : 'trigger'} (band ${limits.priceBandPct * 100}%)`,
    );
  }
  return undefined;
};

export const checkOpenOrders: RiskRule = (input, limits) => {
  if (limits.maxOpenOrders !== undefined && input.openOrderCount >= limits.maxOpenOrders) {
    return deny(
      'ERR_RISK_MAX_OPEN_ORDERS',
      `already ${input.openOrderCount} open orders (limit ${limits.maxOpenOrders})`,
    );
  }
  return undefined;
};

/** Spot cannot spend cash it does not have nor sell coins it does not hold. */
export const checkSpotFunds: RiskRule = (input) => {
  const { request, instrument } = input;
  // Bracket children only ever sell what their parent will have bought.
  if (instrument.kind !== 'SPOT' || request.parentId !== undefined) return undefined;
  if (request.side === 'SELL') {
    if (request.quantity > input.uncommittedQty) {
      return deny(
        'ERR_RISK_INSUFFICIENT_POSITION',
        `sell of ${toNumber(request.quantity)} exceeds ${toNumber(input.uncommittedQty)} held and uncommitted`,
      );
    }
    return undefined;
  }
  const px = referencePrice(input);
  if (px === undefined) return undefined;
  const notional = mul(request.quantity, px);
  // A buy whose fee comes out of the coins bought (Binance spot) needs only the notional.
  const cost = add(notional, mul(notional, buyFeeRateOnCash(instrument)));
  if (cost > input.uncommittedCash) {
    return deny(
      'ERR_RISK_INSUFFICIENT_FUNDS',
      `cost ${toNumber(cost)} exceeds ${toNumber(input.uncommittedCash)} ${instrument.settle} available`,
    );
  }
  return undefined;
};

/** Reduce-only orders must point against the position. */
export const checkReduceOnly: RiskRule = ({ request, positionQty }) => {
  if (!request.reduceOnly || request.parentId !== undefined) return undefined;
  if (positionQty === ZERO || (positionQty > 0n ? request.side === 'BUY' : request.side === 'SELL')) {
    return deny('ERR_RISK_REDUCE_ONLY', 'reduce-only order would not reduce the position');
  }
  return undefined;
};

/** Our own order budget: a runaway loop is stopped long before the exchange bans the account. */
export const checkRateLimit: RiskRule = (input, limits) => {
  if (
    limits.maxOrdersPerMinute === undefined ||
    isReducing(input.request, input.positionQty, input.openClosingQty)
  )
    return undefined;
  if (input.ordersInWindow >= limits.maxOrdersPerMinute) {
    return deny(
      'ERR_RISK_RATE_LIMIT',
      `${input.ordersInWindow} orders in the last minute (limit ${limits.maxOrdersPerMinute})`,
    );
  }
  return undefined;
};

/** Per-symbol and total exposure ceilings apply to orders that add risk, never to exits. */
export const checkExposure: RiskRule = (input, limits) => {
  if (isReducing(input.request, input.positionQty, input.openClosingQty)) return undefined;
  const pos = input.positionNotionalAfter;
  if (limits.maxPositionNotional !== undefined && pos === undefined) return unpriced(input, 'the position');
  if (limits.maxTotalExposure !== undefined && input.exposureAfter === undefined)
    return unpriced(input, 'the total exposure');
  if (limits.maxPositionNotional !== undefined && pos !== undefined && pos > limits.maxPositionNotional) {
    return deny(
      'ERR_RISK_MAX_POSITION',
      `position would be ${pos.toFixed(2)} (limit ${limits.maxPositionNotional})`,
    );
  }
  const total = input.exposureAfter;
  if (limits.maxTotalExposure !== undefined && total !== undefined && total > limits.maxTotalExposure) {
    return deny(
      'ERR_RISK_MAX_EXPOSURE',
      `total exposure would be ${total.toFixed(2)} (limit ${limits.maxTotalExposure})`,
    );
  }
  return undefined;
};

/** No new risk on data we cannot trust to be current. */
export const checkStaleData: RiskRule = (input, limits) => {
  if (limits.staleDataMs === undefined || isReducing(input.request, input.positionQty, input.openClosingQty))
    return undefined;
  if (input.dataAgeMs === undefined || input.dataAgeMs > limits.staleDataMs) {
    const age =
      input.dataAgeMs === undefined ? 'no data yet' : `last data ${Math.round(input.dataAgeMs / 1000)} s ago`;
    return deny('ERR_RISK_STALE_DATA', `market data of ${input.request.symbol} is stale (${age})`);
  }
  return undefined;
};

/** A strategy cooling down after a loss streak may only reduce. */
export const checkCooldown: RiskRule = (input) => {
  if (input.cooldownUntil === undefined || isReducing(input.request, input.positionQty, input.openClosingQty))
    return undefined;
  return deny(
    'ERR_RISK_COOLDOWN',
    `${input.strategyId} is cooling down after consecutive losses until ${new Date(input.cooldownUntil).toISOString()}`,
  );
};

/** The rules in the order they run; the first denial wins. */
export const PRE_TRADE_RULES: readonly RiskRule[] = [
  checkTradingState,
  checkQuantityAndPrice,
  checkReduceOnly,
  checkCooldown,
  checkStaleData,
  checkRateLimit,
  checkOpenOrders,
  checkNotional,
  checkPriceBand,
  checkExposure,
  checkSpotFunds,
];

/** Commitment of an open order against cash (buys) or position (sells), for the uncommitted figures. */
export function remainingCommitment(
  req: OrderRequest,
  leaves: Fixed,
  fallbackPx: Fixed | undefined,
  fee: Fixed,
): Fixed {
  const px = req.price ?? req.triggerPrice ?? fallbackPx;
  if (req.side === 'SELL' || px === undefined) return leaves;
  const notional = mul(leaves, px);
  return add(notional, mul(notional, fee));
}
