import type { Fixed } from '../core/Fixed.js';
import { ZERO, add, fromNumber, max, sub, toNumber } from '../core/Fixed.js';
import { CircuitBreaker } from './CircuitBreaker.js';
import { LossStreaks } from './LossStreaks.js';
import { OrderRateLimiter } from './OrderRateLimiter.js';
import type { Instrument } from '../model/Instrument.js';
import { buyFeeRateOnCash } from '../model/Instrument.js';
import type { Order } from '../model/Order.js';
import type { OrderRequest } from '../model/OrderRequest.js';
import type { RiskDenial, RiskLimits, RiskRule } from './preTradeRules.js';
import { PRE_TRADE_RULES, remainingCommitment } from './preTradeRules.js';
import { TradingState } from './TradingState.js';

/** What the risk engine reads of the rest of the system (ports, so it stays testable). */
export interface RiskView {
  instrument(symbol: string): Instrument;
  lastPrice(symbol: string): number | undefined;
  positionQty(symbol: string): Fixed;
  cash(currency: string): Fixed;
  openOrders(): readonly Order[];
  /** Engine time (rate windows, staleness, cooldowns); 0 when absent. */
  now?(): number;
  /** When market data of a symbol last arrived (engine time); absent = not checked. */
  lastDataAt?(symbol: string): number | undefined;
  /** Every open position, for total exposure. */
  positions?(): readonly { readonly symbol: string; readonly qty: Fixed }[];
}

/** Position and total exposure when no rule needs them. */
const NO_EXPOSURE = Object.freeze({ positionAfter: undefined, exposureAfter: undefined });

/** Circuit breakers and cooldowns (all optional). */
export interface BreakerConfig {
  readonly dailyLossLimitPct?: number | undefined;
  readonly maxDrawdownPct?: number | undefined;
  /** What a tripped breaker sets. */
  readonly breakerState?: 'HALTED' | 'REDUCING';
  readonly consecutiveLossLimit?: number | undefined;
  readonly cooldownMs?: number;
}

/** Told of every trading-state change (persistence, audit, notifications). */
export type TradingStateListener = (state: TradingState, reason: string, code: string) => void;

/**
 * Sits between every order source (strategies, the API) and the OMS. It answers with a
 * denial (code + reason) or nothing; it never throws for a bad order, because a bad
 * order is an expected event, not a crash.
 */
export class RiskEngine {
  private tradingState: TradingState = TradingState.ACTIVE;
  private rate: OrderRateLimiter | undefined;
  private breaker = new CircuitBreaker(undefined, undefined);
  private streaks = new LossStreaks(undefined, 0);
  private breakerState: TradingState = TradingState.HALTED;
  private readonly listeners = new Set<TradingStateListener>();

  constructor(
    private readonly view: RiskView,
    private limits: RiskLimits = {},
    private readonly rules: readonly RiskRule[] = PRE_TRADE_RULES,
  ) {
    this.setLimits(limits);
  }

  get state(): TradingState {
    return this.tradingState;
  }

  /**
   * Sets the trading state. With a reason (kill switch, resume, an operator) a change is
   * told to the listeners — persistence, audit, push, notifications; without one (restoring
   * the saved state at start) it is silent, since nothing new happened.
   */
  setState(state: TradingState, reason?: string, code = 'STATE_SET'): void {
    const changed = state !== this.tradingState;
    this.tradingState = state;
    if (changed && reason !== undefined) for (const l of this.listeners) l(state, reason, code);
  }

  setLimits(limits: RiskLimits): void {
    this.limits = limits;
    this.rate =
      limits.maxOrdersPerMinute === undefined ? undefined : new OrderRateLimiter(limits.maxOrdersPerMinute);
  }

  configureBreakers(cfg: BreakerConfig): void {
    this.breaker = new CircuitBreaker(cfg.dailyLossLimitPct, cfg.maxDrawdownPct);
    this.streaks = new LossStreaks(cfg.consecutiveLossLimit, cfg.cooldownMs ?? 0);
    this.breakerState = cfg.breakerState ?? TradingState.HALTED;
  }

  /** Adds a listener (persistence, audit, notifications each add theirs); returns its removal. */
  onStateChange(listener: TradingStateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The breaker's anchors, to persist and restore across restarts. */
  get circuitBreaker(): CircuitBreaker {
    return this.breaker;
  }

  /**
   * Latest equity: a breached daily-loss or drawdown limit moves ACTIVE trading to the
   * configured breaker state (never loosens a stricter one) and tells the listeners.
   */
  onEquity(equity: number, ts: number): void {
    const trip = this.breaker.update(equity, ts);
    if (trip === undefined || this.tradingState !== TradingState.ACTIVE) return;
    this.tradingState = this.breakerState;
    for (const l of this.listeners) l(this.breakerState, `circuit breaker: ${trip.reason}`, trip.code);
  }

  /** Whether closed round trips are counted (a consecutive-loss limit is configured). */
  get countsLossStreaks(): boolean {
    return this.streaks.counting;
  }

  /** A round trip of `strategyId` closed with net `pnl` (loss streaks). */
  onRoundTripClosed(strategyId: string, pnl: number, ts: number): void {
    this.streaks.onClosed(strategyId, pnl, ts);
  }

  /**
   * Judges an amend of a resting order by the same rules as a new order (price band,
   * notional, exposure, funds, …) applied to the amended terms for the part still to fill;
   * the order's current commitment is not counted against it. Undefined means approved.
   */
  checkAmend(order: Order, amended: OrderRequest): RiskDenial | undefined {
    return this.check(order, { ...amended, quantity: sub(amended.quantity, order.filledQty) });
  }

  /** Judges an order that is not yet sent (or `req`, an amend of it); undefined means approved. */
  check(order: Order, req: OrderRequest = order.request): RiskDenial | undefined {
    const instrument = this.view.instrument(req.symbol);
    const lastPrice = this.view.lastPrice(req.symbol);
    const open = this.uncommitted(order, instrument, this.view.openOrders(), lastPrice);
    const now = this.view.now?.() ?? 0;
    const seen = this.view.lastDataAt?.(req.symbol);
    // Only the exposure rule reads these, and only with a ceiling set (custom rules may read anything).
    const { positionAfter, exposureAfter } =
      this.rules !== PRE_TRADE_RULES ||
      this.limits.maxPositionNotional !== undefined ||
      this.limits.maxTotalExposure !== undefined
        ? this.exposure(req, lastPrice)
        : NO_EXPOSURE;
    const input = {
      strategyId: order.strategyId,
      positionNotionalAfter: positionAfter,
      exposureAfter,
      ordersInWindow: this.rate?.count(now) ?? 0,
      dataAgeMs: this.view.lastDataAt === undefined ? 0 : seen === undefined ? undefined : now - seen,
      cooldownUntil: this.streaks.coolingDownUntil(order.strategyId, now),
      request: req,
      instrument,
      state: this.tradingState,
      lastPrice,
      positionQty: this.view.positionQty(req.symbol),
      uncommittedCash: open.cash,
      uncommittedQty: open.qty,
      openClosingQty: open.closing,
      openOrderCount: open.count,
    };
    for (const rule of this.rules) {
      const denial = rule(input, this.limits);
      if (denial) return denial;
    }
    this.rate?.record(now);
    return undefined;
  }

  /** Position and total exposure (|qty| × last price) if the whole order filled. */
  private exposure(
    req: OrderRequest,
    lastPrice: number | undefined,
  ): { positionAfter: number | undefined; exposureAfter: number | undefined } {
    // Priced like the notional rule: limit price, else a stop's trigger, else the last price.
    const limitPx = req.price ?? req.triggerPrice;
    const px = limitPx !== undefined ? toNumber(limitPx) : lastPrice;
    if (px === undefined) return { positionAfter: undefined, exposureAfter: undefined };
    const signed = toNumber(req.quantity) * (req.side === 'BUY' ? 1 : -1);
    const after = toNumber(this.view.positionQty(req.symbol)) + signed;
    const positionAfter = Math.abs(after) * px;
    let exposureAfter: number | undefined = positionAfter;
    for (const p of this.view.positions?.() ?? []) {
      if (p.symbol === req.symbol) continue;
      const mark = this.view.lastPrice(p.symbol);
      if (mark === undefined) {
        exposureAfter = undefined;
        break;
      }
      exposureAfter += Math.abs(toNumber(p.qty)) * mark;
    }
    return { positionAfter, exposureAfter };
  }

  /**
   * Cash and position left after what the other open orders may still take, how many there
   * are, and what they may still close of the position (`RiskInput.openClosingQty`). Bracket
   * children are not counted against funds: they only ever sell what their parent bought.
   */
  private uncommitted(
    order: Order,
    instrument: Instrument,
    open: readonly Order[],
    lastPrice: number | undefined,
  ): { cash: Fixed; qty: Fixed; count: number; closing: Fixed } {
    let cash = this.view.cash(instrument.settle);
    const position = this.view.positionQty(instrument.symbol);
    let qty = max(position, ZERO);
    let committedSell: Fixed = ZERO;
    let count = 0;
    const closingSide = position > 0n ? 'SELL' : 'BUY';
    let closing: Fixed = ZERO;
    let ocoLegs: Map<string, Fixed> | undefined;
    for (const o of open) {
      if (o.id === order.id) continue;
      count++;
      if (
        position !== ZERO &&
        o.symbol === instrument.symbol &&
        o.side === closingSide &&
        !o.request.reduceOnly
      ) {
        const group = o.request.ocoGroup;
        if (group === undefined) closing = add(closing, o.leavesQty);
        else (ocoLegs ??= new Map()).set(group, max(ocoLegs.get(group) ?? ZERO, o.leavesQty));
      }
      if (o.request.parentId !== undefined || o.request.ocoGroup !== undefined) continue;
      const oi = this.view.instrument(o.symbol);
      if (oi.settle === instrument.settle && o.side === 'BUY') {
        // Each open market buy is priced at its own symbol's last price, never at the one being checked.
        const px = o.symbol === instrument.symbol ? lastPrice : this.view.lastPrice(o.symbol);
        const pxFixed = px !== undefined && px > 0 ? fromNumber(px) : undefined;
        cash = sub(cash, remainingCommitment(o.request, o.leavesQty, pxFixed, buyFeeRateOnCash(oi)));
      } else if (o.symbol === instrument.symbol && o.side === 'SELL') {
        committedSell = add(committedSell, o.leavesQty);
      }
    }
    qty = sub(qty, committedSell);
    if (ocoLegs !== undefined) for (const leg of ocoLegs.values()) closing = add(closing, leg);
    return { cash: max(cash, ZERO), qty: max(qty, ZERO), count, closing };
  }
}
