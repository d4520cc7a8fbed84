import { OrderSide } from '../model/enums.js';
import type { RoundTrip } from './types.js';

// The accumulators of a trip being cut from the fill log (roundTrips.ts), and the round trip
// they finish as.

/**
 * Accumulators of the trip of one (strategyId, symbol): open while `opened` is positive. One
 * per pair for the whole cut, reset in place when the next trip opens: a trip's nine
 * fractional fields are nine boxed doubles, and a run of 20,000 trips made them all anew.
 */
export interface OpenTrip {
  readonly strategyId: string;
  readonly symbol: string;
  /** The symbol's coin and settle currency: which of a fill's fees is money, which coins. */
  readonly base: string;
  readonly settle: string;
  /** Order in which the current trip opened (0: none open): open trips are marked in it. */
  opened: number;
  /** +1 long, −1 short. */
  sign: 1 | -1;
  entryTs: number;
  entryBar: number;
  /** Remaining absolute position, in coins held (less the coins fees took). */
  position: number;
  entryQty: number;
  entryNotional: number;
  exitQty: number;
  exitNotional: number;
  /** Every fee of the trip in the settle currency, coin fees valued at their fill's price. */
  fees: number;
  /** The part of `fees` paid in money: the rest took coins, already out of `position`. */
  cashFees: number;
  /** Value of dust coins handed on to the next trip (+) or taken over from the last one (−), signed by side. */
  carry: number;
  /** Coins (unsigned) a closed trip left as dust, and the price they were handed on at. */
  dust: number;
  dustSign: 1 | -1;
  dustPx: number;
  exitTs: number;
  exitBar: number;
}

export function newTrip(strategyId: string, symbol: string): OpenTrip {
  // "BTC/USDT" spot, "BTC/USDT:USDT" perpetual: the settle currency follows the colon.
  const [pair = '', settle] = symbol.split(':');
  const [base = '', quote = ''] = pair.split('/');
  return {
    strategyId,
    symbol,
    base,
    settle: settle ?? quote,
    opened: 0,
    sign: 1,
    entryTs: 0,
    entryBar: 0,
    position: 0,
    entryQty: 0,
    entryNotional: 0,
    exitQty: 0,
    exitNotional: 0,
    fees: 0,
    cashFees: 0,
    carry: 0,
    dust: 0,
    dustSign: 1,
    dustPx: 0,
    exitTs: 0,
    exitBar: 0,
  };
}

/**
 * A closing trip's dust (coins too few to sell, left by coin fees and lot rounding) handed on
 * at the closing price: this trip is credited with their value, the next trip pays it.
 */
export function handOnDust(t: OpenTrip, px: number): void {
  const left = Math.max(0, t.position);
  t.carry += t.sign * left * px;
  t.dust = left;
  t.dustSign = t.sign;
  t.dustPx = px;
  t.position = 0;
}

export function finish(t: OpenTrip, closed: boolean): RoundTrip {
  const gross = t.sign * (t.exitNotional - t.entryNotional);
  const pnl = gross - t.cashFees + t.carry;
  return {
    symbol: t.symbol,
    strategyId: t.strategyId,
    side: t.sign === 1 ? OrderSide.BUY : OrderSide.SELL,
    entryTs: t.entryTs,
    exitTs: t.exitTs,
    entryPrice: t.entryQty > 0 ? t.entryNotional / t.entryQty : 0,
    exitPrice: t.exitQty > 0 ? t.exitNotional / t.exitQty : 0,
    quantity: t.entryQty,
    pnl: finiteOr0(pnl),
    fees: finiteOr0(t.fees),
    returnPct: t.entryNotional > 0 ? finiteOr0(pnl / t.entryNotional) : 0,
    barsHeld: Math.max(0, t.exitBar - t.entryBar),
    closed,
  };
}

function finiteOr0(x: number): number {
  return Number.isFinite(x) ? x : 0;
}
