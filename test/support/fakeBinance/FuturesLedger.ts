/**
 * The USDT-M futures side of the fake's account: one USDT wallet, one-way positions
 * (positionSide BOTH) with leverage and margin type per symbol, exact in units of 1e-8.
 *
 * - A position keeps its signed size and its entry notional (size × average entry price), so
 *   the entry price is exact; a fill that reduces it realizes (exit − entry) × size into the
 *   wallet; a fill past zero flips it at the fill price.
 * - Mark price = the last replayed trade price; unrealized PnL and initial margin
 *   (notional / leverage) follow it.
 * - An order is admitted when the margin for what it opens, plus open orders' margin, fits the
 *   available balance (wallet + unrealized PnL − margin in use); nothing is locked. Isolated
 *   margin is recorded and reported (isolatedWallet: entry notional ÷ leverage, funding,
 *   positionMargin changes) but admission computes it like cross. The fake never liquidates by
 *   itself: a test does (FakeBinance.liquidate, see forcedClose.ts).
 * - Commission: on the fill's notional, in USDT, maker/taker basis points; the exchange's own
 *   closing orders pay the liquidation clearance fee (1.25 %, the exchangeInfo liquidationFee)
 *   on a liquidation and nothing on an auto-deleveraging; or, when a test asks
 *   (`clearanceAsIncome`), the trades pay the taker fee and the clearance fee is an income row
 *   of type INSURANCE_CLEAR, taken from the wallet apart from them, as Binance may book it.
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api
 */
import { divUnits, mulUnits, parseUnits } from './decimal.js';
import type { MarketReplay } from './MarketReplay.js';
import type { Booking, Ledger, PlannedFill } from './OrderMatcher.js';
import { lastPrice } from './OrderMatcher.js';
import { isOpen } from './orders.js';
import type { FakeOrder } from './orders.js';
import { BinanceError } from './RestApi.js';

/** One symbol's position and settings. */
export interface FuturesPosition {
  /** Signed size in base units: > 0 long, < 0 short. */
  amt: bigint;
  /** |size| × average entry price. */
  entryNotional: bigint;
  leverage: number;
  marginType: 'cross' | 'isolated';
  /**
   * Isolated positions: the margin put behind it, without unrealized PnL (positionRisk's
   * isolatedWallet). An opening fill adds its notional ÷ leverage, a reducing fill releases
   * its pro-rata share, funding moves it, POST /fapi/v1/positionMargin adds or removes.
   * Zero for cross or flat.
   */
  isolatedWallet: bigint;
  updateTime: number;
}

/** Wallet, positions and the open orders that need margin. */
export class FuturesLedger implements Ledger {
  wallet: bigint;
  readonly asset = 'USDT';
  readonly positions = new Map<string, FuturesPosition>();
  private changedSymbols = new Set<string>();

  constructor(
    wallet: bigint,
    readonly makerBps: bigint,
    readonly takerBps: bigint,
    readonly defaultLeverage: number,
    private readonly marketOf: (symbol: string) => MarketReplay,
    private readonly openOrders: () => readonly FakeOrder[],
  ) {
    this.wallet = wallet;
  }

  /** The position of `symbol` (flat with default settings if never traded). */
  position(symbol: string): FuturesPosition {
    let p = this.positions.get(symbol);
    if (p === undefined) {
      p = {
        amt: 0n,
        entryNotional: 0n,
        leverage: this.defaultLeverage,
        marginType: 'cross',
        isolatedWallet: 0n,
        updateTime: 0,
      };
      this.positions.set(symbol, p);
    }
    return p;
  }

  /** Average entry price (0 when flat). */
  entryPrice(p: FuturesPosition): bigint {
    return divUnits(p.entryNotional, abs(p.amt));
  }

  /** Mark price of `symbol`: the last replayed trade (0 before the first). */
  markPrice(symbol: string): bigint {
    return lastPrice(this.marketOf(symbol)) ?? 0n;
  }

  /** Unrealized PnL of a position at the mark price. */
  unrealized(symbol: string, p: FuturesPosition): bigint {
    if (p.amt === 0n) return 0n;
    const value = mulUnits(abs(p.amt), this.markPrice(symbol));
    return p.amt > 0n ? value - p.entryNotional : p.entryNotional - value;
  }

  /** Initial margin of a position at the mark price. */
  positionMargin(symbol: string, p: FuturesPosition): bigint {
    return mulUnits(abs(p.amt), this.markPrice(symbol)) / BigInt(p.leverage);
  }

  /**
   * POST /fapi/v1/positionMargin: adds (type 1) or removes (type 2) `amount` of the isolated
   * margin of `symbol`'s position, moved from or to the cross wallet (the wallet balance, which
   * holds both, does not change). Refused like Binance: no position (-4054), not isolated
   * (-4053 is auto-add's; the fake answers -4054 too), amount not positive (-4055), more than
   * the cross wallet can give (-4050) or than the isolated wallet holds (-4051).
   * https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/Modify-Isolated-Position-Margin
   */
  modifyIsolatedMargin(symbol: string, amount: bigint, type: 1 | 2, now: number): void {
    const p = this.position(symbol);
    if (p.marginType !== 'isolated' || p.amt === 0n)
      throw new BinanceError(400, -4054, 'Cannot add position margin: position is 0.');
    if (amount <= 0n) throw new BinanceError(400, -4055, 'Amount must be positive.');
    if (type === 1 && amount > this.available())
      throw new BinanceError(400, -4050, 'Cross balance insufficient.');
    if (type === 2 && amount > p.isolatedWallet)
      throw new BinanceError(400, -4051, 'Isolated balance insufficient.');
    p.isolatedWallet += type === 1 ? amount : -amount;
    p.updateTime = now;
  }

  /** Margin held for open orders that would open or grow positions. */
  openOrderMargin(): bigint {
    let sum = 0n;
    for (const o of this.openOrders()) {
      if (o.reduceOnly) continue;
      sum += mulUnits(o.origQty - o.executedQty, o.price) / BigInt(this.position(o.symbol).leverage);
    }
    return sum;
  }

  /** Sum of unrealized PnL over all positions. */
  totalUnrealized(): bigint {
    let sum = 0n;
    for (const [s, p] of this.positions) sum += this.unrealized(s, p);
    return sum;
  }

  /** Sum of the positions' initial margin. */
  totalPositionMargin(): bigint {
    let sum = 0n;
    for (const [s, p] of this.positions) sum += this.positionMargin(s, p);
    return sum;
  }

  /** What new orders may use: wallet + unrealized − margin in use. */
  available(): bigint {
    return this.wallet + this.totalUnrealized() - this.totalPositionMargin() - this.openOrderMargin();
  }

  /** Symbols whose position changed since the last call (what ACCOUNT_UPDATE reports). */
  takeChanged(): string[] {
    const out = [...this.changedSymbols];
    this.changedSymbols = new Set();
    return out;
  }

  /**
   * Leverage ceilings below Binance's 125 by symbol (a test sets them): Binance refuses a
   * leverage above what the symbol's bracket allows with -4028.
   */
  readonly maxLeverage = new Map<string, number>();

  /** POST /fapi/v1/leverage: 1..125 (or the symbol's ceiling), else -4028. */
  setLeverage(symbol: string, leverage: number): void {
    const max = this.maxLeverage.get(symbol) ?? 125;
    if (!Number.isInteger(leverage) || leverage < 1 || leverage > max)
      throw new BinanceError(400, -4028, `Leverage ${leverage} is not valid`);
    this.position(symbol).leverage = leverage;
  }

  /** POST /fapi/v1/marginType (ISOLATED / CROSSED). */
  setMarginType(symbol: string, type: 'cross' | 'isolated'): void {
    const p = this.position(symbol);
    if (p.marginType === type) throw new BinanceError(400, -4046, 'No need to change margin type.');
    if (p.amt !== 0n || this.openOrders().some((o) => o.symbol === symbol))
      throw new BinanceError(400, -4048, 'Margin type cannot be changed if there exists position.');
    p.marginType = type;
  }

  /**
   * PUT /fapi/v1/order (Modify Order) on a resting LIMIT order: new price and quantity, same
   * ids. Refused like Binance when nothing changes (-5027), below what already filled, off
   * the symbol's steps, or without margin for what it adds (-2019); a reduce-only order is cut
   * to the position again. The order keeps resting whatever its new price (see futuresRoutes).
   * https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/Modify-Order
   */
  amend(order: FakeOrder, qty: bigint, price: bigint, market: MarketReplay): void {
    if (order.type !== 'LIMIT') throw new BinanceError(400, -1116, 'Invalid orderType.');
    if (qty === order.origQty && price === order.price)
      throw new BinanceError(400, -5027, 'No need to modify the order.');
    const tick = parseUnits(market.tickSize) ?? 1n;
    const lot = parseUnits(market.lotSize) ?? 1n;
    if (price < tick || price % tick !== 0n)
      throw new BinanceError(400, -4014, 'Price not increased by tick size.');
    if (qty % lot !== 0n)
      throw new BinanceError(400, -1111, 'Precision is over the maximum defined for this asset.');
    if (qty <= order.executedQty) throw new BinanceError(400, -4003, 'Quantity less than or equal to zero.');
    const before = { qty: order.origQty, price: order.price };
    const mutable = order as { origQty: bigint; price: bigint };
    mutable.origQty = qty;
    mutable.price = price;
    if (order.reduceOnly) this.prepare(order);
    else if (this.available() < 0n) {
      mutable.origQty = before.qty;
      mutable.price = before.price;
      throw new BinanceError(400, -2019, 'Margin is insufficient.');
    }
    order.updateTime = market.now();
  }

  prepare(order: FakeOrder): void {
    const p = this.position(order.symbol);
    const dir = order.side === 'BUY' ? 1n : -1n;
    if (!order.reduceOnly) return;
    if (p.amt === 0n || p.amt * dir > 0n) throw new BinanceError(400, -2022, 'ReduceOnly Order is rejected.');
    // Binance shrinks a reduce-only order to the position it can close.
    if (order.origQty > abs(p.amt)) order.origQty = abs(p.amt);
  }

  admit(order: FakeOrder, planned: readonly PlannedFill[], market: MarketReplay): void {
    const p = this.position(order.symbol);
    const dir = order.side === 'BUY' ? 1n : -1n;
    if (order.reduceOnly) return;
    const opening = p.amt * dir >= 0n ? order.origQty : maxBig(0n, order.origQty - abs(p.amt));
    if (opening === 0n) return;
    const plannedQty = planned.reduce((s, f) => s + f.qty, 0n);
    const plannedCost = planned.reduce((s, f) => s + mulUnits(f.qty, f.price), 0n);
    const price =
      order.price > 0n
        ? order.price
        : plannedQty > 0n
          ? divUnits(plannedCost, plannedQty)
          : (lastPrice(market) ?? 0n);
    const notional = mulUnits(opening, price);
    const need = notional / BigInt(p.leverage) + (notional * this.takerBps) / 10_000n;
    if (need > this.available()) throw new BinanceError(400, -2019, 'Margin is insufficient.');
  }

  settle(order: FakeOrder, fill: PlannedFill, maker: boolean, market: MarketReplay): Booking {
    const p = this.position(order.symbol);
    const signed = order.side === 'BUY' ? fill.qty : -fill.qty;
    const notional = mulUnits(fill.qty, fill.price);
    let realized = 0n;
    const isolated = p.marginType === 'isolated';
    if (p.amt === 0n || p.amt > 0n === signed > 0n) {
      p.entryNotional += notional;
      p.amt += signed;
      if (isolated) p.isolatedWallet += notional / BigInt(p.leverage);
    } else {
      const closing = minBig(fill.qty, abs(p.amt));
      const removed = (p.entryNotional * closing) / abs(p.amt);
      if (isolated) p.isolatedWallet -= (p.isolatedWallet * closing) / abs(p.amt);
      const exitValue = mulUnits(closing, fill.price);
      realized = p.amt > 0n ? exitValue - removed : removed - exitValue;
      p.entryNotional -= removed;
      p.amt += signed > 0n ? closing : -closing;
      const rest = fill.qty - closing;
      if (rest > 0n) {
        p.amt = signed > 0n ? rest : -rest;
        p.entryNotional = mulUnits(rest, fill.price);
        if (isolated) p.isolatedWallet = p.entryNotional / BigInt(p.leverage);
      }
      if (p.amt === 0n) {
        p.entryNotional = 0n;
        p.isolatedWallet = 0n;
      }
    }
    const forced = this.clearanceApart.has(order.clientOrderId)
      ? undefined
      : forcedFeeBps(order.clientOrderId);
    const commission = (notional * (forced ?? (maker ? this.makerBps : this.takerBps))) / 10_000n;
    this.wallet += realized - commission;
    p.updateTime = market.now();
    this.changedSymbols.add(order.symbol);
    return { commission, commissionAsset: this.asset, realizedPnl: realized };
  }

  release(order: FakeOrder): void {
    void order;
  }

  /**
   * Client order ids of liquidation orders whose clearance fee is booked apart from their trades
   * (an INSURANCE_CLEAR income row, see FakeBinance.liquidate): their trades pay the taker fee.
   */
  readonly clearanceApart = new Set<string>();

  /** Open orders of `symbol` (for margin-type changes). */
  hasOpenOrders(symbol: string): boolean {
    return this.openOrders().some((o) => o.symbol === symbol && isOpen(o));
  }
}

/** Liquidation clearance fee of the fake's perpetuals, in basis points (exchangeInfo liquidationFee). */
export const LIQUIDATION_FEE_BPS = 125n;

/** Commission of the exchange's own closing orders by client order id (undefined: not one). */
function forcedFeeBps(clientOrderId: string): bigint | undefined {
  if (clientOrderId.startsWith('autoclose-')) return LIQUIDATION_FEE_BPS;
  if (clientOrderId === 'adl_autoclose') return 0n;
  return undefined;
}

function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}

function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
