import { z } from 'zod';
import type { Fixed } from '../core/Fixed.js';
import {
  ONE,
  ZERO,
  add,
  divTrunc,
  floorToStep,
  formatFixed,
  fromNumber,
  mul,
  roundToStep,
  sub,
  toFixed,
} from '../core/Fixed.js';
import type { Bar } from '../model/Bar.js';
import type { OrderEvent } from '../model/events.js';
import { sellableWithFee } from '../model/Instrument.js';
import type { OrderView } from '../model/OrderView.js';
import { feesPaidIn } from '../model/Order.js';
import { Strategy } from '../strategy/Strategy.js';
import { BuySkipWarnings } from './BuySkipWarnings.js';
import { buyShortfall } from './canAffordBuy.js';
import type { GridLevel, GridState } from './GridState.js';
import { buildGrid, gridStateKey, leftGrid } from './GridState.js';

const paramsSchema = z
  .object({
    levels: z
      .number()
      .int()
      .min(1)
      .max(50)
      .default(5)
      .meta({ step: 1, description: 'number of buy levels below the reference' }),
    spacingPct: z
      .number()
      .min(0.1)
      .max(20)
      .default(1)
      .meta({ step: 0.1, description: 'distance between levels, % of the reference price' }),
    orderSize: z
      .number()
      .min(0.01)
      .max(1)
      .default(0.1)
      .meta({ step: 0.01, description: 'notional of each level as a fraction of equity' }),
  })
  .refine((p) => p.levels * p.orderSize <= 1 + 1e-9, {
    message: 'levels × orderSize must not exceed 1 (the grid would spend more than the equity)',
    path: ['orderSize'],
  })
  .refine((p) => p.levels * p.spacingPct < 100, {
    message: 'levels × spacingPct must stay below 100 (the lowest level would be at or below zero)',
    path: ['spacingPct'],
  });

export type GridTradingParams = z.infer<typeof paramsSchema>;

/**
 * Refusals that say the engine will not trade now — halted (kill switch, breaker), only
 * reducing orders allowed, market data stale — not that the rung cannot be afforded.
 */
const PAUSE_CODES: ReadonlySet<string> = new Set([
  'ERR_RISK_HALTED',
  'ERR_RISK_REDUCING_ONLY',
  'ERR_RISK_STALE_DATA',
]);
/** First wait after such a refusal, in bar time; it doubles per refusal up to PAUSE_MAX_MS. */
const PAUSE_FIRST_MS = 60_000;
const PAUSE_MAX_MS = 15 * 60_000;

/** A side of one symbol's grid waiting for the engine to trade again. */
interface Pause {
  /** Bar time from which one order of that side is tried again. */
  until: number;
  waitMs: number;
}

const isPauseRefusal = (order: OrderView): boolean =>
  order.status === 'DENIED' && PAUSE_CODES.has(order.reasonCode ?? '');

/**
 * Spot grid trading. From the first close it lays `levels` limit buys spaced `spacingPct`
 * of that reference price below it, each of `orderSize` × equity in notional. A filled
 * buy is answered by a limit sell of what it bought one spacing higher; a filled sell
 * arms its buy again. When the close leaves the grid by more than one spacing (above the
 * reference, or below the lowest buy) while no rung holds inventory, the grid is
 * cancelled and laid again around that close.
 *
 * Orders go out on bars only, never from inside an order event, so a sell answers its
 * buy from the bar after the fill. The grid lives in ctx.state after every change, so a
 * restarted strategy resumes it. A rung whose order ended while the engine was down (or
 * at its start: kill switch, cancel resumed) is settled at onStart from that order's final
 * state, which `ctx.order` finds in the engine's memory or the order journal (a filled buy
 * turns to its sell, a canceled one is laid again); the order's events, handed over after
 * onStart and before the first live price, are then recognised as already settled; the rung
 * is settled even when they never come (the engine stopped during warm-up). Only a rung whose
 * order nobody knows (a journal that lost it; a backtest's memory that forgot it) waits for
 * those events, and if none comes it is left out, with a warning, until the grid re-centres:
 * its outcome is unknown, and laying the buy again could buy twice.
 *
 * A refusal that says the engine does not trade now (halted by the kill switch or a
 * breaker, reduce-only, stale data) does not park the rung: that side of the grid pauses
 * and tries one order again after a wait that doubles per refusal (1 to 15 minutes of bar
 * time), so after `qts resume` the rungs come back without a refusal on every bar.
 *
 * Fees taken in the coin (ccxt feeSide; see Instrument.feeSide) change what a rung holds and
 * sells, as the exchange would refuse a sell of coins the account does not have. A buy whose
 * fee comes out of the coins bought ('get', 'base') leaves the rung the fill less that fee,
 * floored to the lot. A sell whose fee is taken in the coin given ('base', 'give') needs
 * quantity + fee of them: the rung sells its coins ÷ (1 + the higher fee rate), floored to the
 * lot, and the few coins left once that sell filled stay in the account as dust. A rung whose
 * coins would not make one such sale is not turned into a sell: it buys again. A sell parked
 * by a refusal gets one more try at each start.
 *
 * A rung's buy the cash does not cover (or under the instrument's minimum order) is not sent,
 * and tried again on the next bar; the first such skip per symbol and reason is a warning, as
 * a grid that never buys would otherwise end flat without a word (see BuySkipWarnings).
 */
export class GridTrading extends Strategy<GridTradingParams> {
  static readonly id = 'grid';
  static readonly description = 'Grid of limit buys below a reference price, each sold one spacing higher';
  static readonly paramsSchema = paramsSchema;

  private readonly grids = new Map<string, GridState>();
  /**
   * Orders of saved rungs that had already ended when the strategy started. A rung whose order
   * `ctx.order` found is settled at onStart; the others keep the id until the order's events,
   * which the engine hands over after onStart, settle them. Kept for the run so the held
   * events of an order already settled are not taken for strays.
   */
  private readonly endedAtStart = new Set<string>();
  /** Symbols that had a live bar: every event held for the strategy has been handed over. */
  private readonly live = new Set<string>();
  /** Sides paused by a refusal of the engine's trading state, keyed "symbol side". */
  private readonly pauses = new Map<string, Pause>();
  /** Buys not sent for want of cash or under the minimum order: warned of once per run. */
  private readonly skips = new BuySkipWarnings(false);

  override onStart(): void {
    super.onStart();
    for (const symbol of this.ctx.symbols) {
      const saved = this.ctx.state.get<GridState>(gridStateKey(symbol));
      if (!saved) continue;
      const open = new Set(this.ctx.openOrders(symbol).map((o) => o.id));
      let changed = false;
      // Not forgotten: whether the order filled or was canceled decides the rung's next order.
      for (const level of saved.levels) {
        if (level.stage === 'sell' && level.parked) {
          // One more try per start: a sell refused by an older version for asking its fee's
          // coins too would otherwise hold its coins, and block re-centring, for good.
          level.parked = false;
          changed = true;
        }
        if (level.orderId === null || open.has(level.orderId)) continue;
        // Kept even when settled below: its held events, handed over later, are then expected.
        this.endedAtStart.add(level.orderId);
        // The order's final state (engine memory or journal) settles the rung now, as its last
        // event would; only an order nobody knows leaves the rung waiting for events.
        const ended = this.ctx.order(level.orderId);
        if (ended?.isTerminal) {
          this.settle(saved, level, ended);
          changed = true;
        }
      }
      if (changed) this.save(symbol, saved);
      else this.grids.set(symbol, saved);
    }
  }

  override onBar(bar: Bar): void {
    // A grid is laid around the live price: on warm-up history its orders would only be
    // refused, and a refused rung is parked until a sale frees cash.
    if (this.ctx.isWarmingUp) return;
    if (!this.live.has(bar.symbol)) {
      this.live.add(bar.symbol);
      this.warnUnheard(bar.symbol);
    }
    let grid = this.grids.get(bar.symbol);
    if (!grid) {
      grid = this.build(bar.close);
      this.save(bar.symbol, grid);
    } else if (leftGrid(grid, bar.close) && !this.holdsInventory(bar.symbol, grid)) {
      const old = grid;
      grid = this.build(bar.close);
      this.save(bar.symbol, grid);
      // The new grid is in place first, so the cancel events of the old orders match no rung.
      for (const level of old.levels) if (level.orderId !== null) this.ctx.cancel(level.orderId);
    }
    this.placeMissing(bar.symbol, grid, bar.ts);
  }

  override onOrderUpdate(order: OrderView, _event: OrderEvent): void {
    if (!order.isTerminal) return;
    const grid = this.grids.get(order.symbol);
    const level = grid?.levels.find((l) => l.orderId === order.id);
    if (!grid || !level) {
      // Held events of one order come together, the order already terminal at the first:
      // that one settled the rung, the others are expected.
      if (this.endedAtStart.has(order.id)) return;
      if (order.filledQty > ZERO) {
        this.ctx.log.warn('fill of an order no longer in the grid', { orderId: order.id, side: order.side });
      }
      return;
    }
    this.settle(grid, level, order);
    this.save(order.symbol, grid);
  }

  /**
   * The first live bar of `symbol`: events held for the strategy were handed over before it.
   * A rung still waiting on an order that ended before the start, and that `ctx.order` did not
   * know, will hear nothing; it is left out rather than guessed at (see the class comment),
   * until the grid re-centres.
   */
  private warnUnheard(symbol: string): void {
    for (const level of this.grids.get(symbol)?.levels ?? []) {
      if (level.orderId === null || !this.endedAtStart.has(level.orderId)) continue;
      this.ctx.log.warn('grid rung left out: its order ended before the start and no event of it came', {
        symbol,
        orderId: level.orderId,
        stage: level.stage,
        price: level.stage === 'buy' ? level.buyPrice : level.sellPrice,
      });
    }
  }

  private build(reference: number): GridState {
    return buildGrid(reference, this.params.levels, this.params.spacingPct);
  }

  /** Any rung holding coins, or a buy already partly filled. */
  private holdsInventory(symbol: string, grid: GridState): boolean {
    if (grid.levels.some((l) => l.stage === 'sell')) return true;
    const working = new Set(grid.levels.map((l) => l.orderId));
    return this.ctx.openOrders(symbol).some((o) => working.has(o.id) && o.filledQty > ZERO);
  }

  private placeMissing(symbol: string, grid: GridState, ts: number): void {
    const inst = this.ctx.instrument(symbol);
    let changed = false;
    for (const level of grid.levels) {
      if (level.orderId !== null || level.parked) continue;
      const side = `${symbol} ${level.stage}`;
      const pause = this.pauses.get(side);
      if (pause !== undefined && ts < pause.until) continue;
      let order: OrderView;
      if (level.stage === 'sell') {
        // Where the sell's fee comes out of the coins too, the rung keeps back enough to pay it.
        const qty = sellableWithFee(inst, toFixed(level.quantity ?? '0'));
        order = this.ctx.sell(symbol, qty, { type: 'LIMIT', price: level.sellPrice, tag: 'grid' });
      } else {
        const px = roundToStep(fromNumber(level.buyPrice), inst.tickSize);
        if (px <= ZERO) continue;
        const budget = toFixed(this.params.orderSize * this.ctx.portfolio.equity());
        // Like the all-in sizer: the level's notional plus its taker fee fits the budget.
        const qty = floorToStep(divTrunc(budget, mul(px, add(ONE, inst.takerFee))), inst.lotSize);
        const shortfall = buyShortfall(this.ctx, symbol, qty, px);
        if (shortfall !== undefined) {
          const cost = (): string =>
            `for ${formatFixed(mul(qty, px))} ${inst.quote} (${formatFixed(qty)} at ${formatFixed(px)}, a grid level)`;
          this.skips.skipped(this.ctx, symbol, qty, shortfall, cost);
          continue;
        }
        order = this.ctx.buy(symbol, qty, { type: 'LIMIT', price: px, tag: 'grid' });
      }
      changed = true;
      level.orderId = order.id;
      // A denial (or an immediate fill) arrives before the id is known here: settle it now.
      if (order.isTerminal) this.settle(grid, level, order);
      if (isPauseRefusal(order)) {
        const waitMs = pause === undefined ? PAUSE_FIRST_MS : Math.min(PAUSE_MAX_MS, pause.waitMs * 2);
        this.pauses.set(side, { until: ts + waitMs, waitMs });
      } else {
        this.pauses.delete(side);
      }
    }
    if (changed) this.save(symbol, grid);
  }

  private settle(grid: GridState, level: GridLevel, order: OrderView): void {
    level.orderId = null;
    // The engine does not trade now: nothing is wrong with the rung, placeMissing pauses its side.
    if (isPauseRefusal(order)) return;
    const refused = order.status === 'DENIED' || order.status === 'REJECTED';
    const inst = this.ctx.instrument(order.symbol);
    if (order.side === 'BUY') {
      const coins = this.coinsBought(order);
      // Coins too few to sell once the fee is kept back are dust: the rung buys again.
      if (order.filledQty > ZERO && sellableWithFee(inst, coins) > ZERO) {
        level.stage = 'sell';
        level.quantity = formatFixed(coins);
      } else if (refused) {
        level.parked = true;
      }
      return;
    }
    // The rung's coins less what the sell gave: its fills and, in the base coin, their fees.
    const left = sub(sub(toFixed(level.quantity ?? '0'), order.filledQty), feesPaidIn(order, inst.base));
    // A sell filled in full closes the rung, even when it kept back coins for its fee (dust now).
    if (order.status !== 'FILLED' && sellableWithFee(inst, left) > ZERO) {
      level.quantity = formatFixed(left);
      if (refused) level.parked = true;
      return;
    }
    level.stage = 'buy';
    level.quantity = null;
    // Cash came back: rungs parked for want of it may try again.
    for (const l of grid.levels) l.parked = false;
  }

  /**
   * What a buy left in the account: its fills less the fees the venue took in the coin bought
   * (Binance spot charges a buy's fee in the coin received), floored to the lot. The rung's
   * sell of the full fill would be refused for want of coins, and the rung parked for good.
   */
  private coinsBought(order: OrderView): Fixed {
    const inst = this.ctx.instrument(order.symbol);
    const fees = feesPaidIn(order, inst.base);
    return fees === ZERO ? order.filledQty : floorToStep(sub(order.filledQty, fees), inst.lotSize);
  }

  private save(symbol: string, grid: GridState): void {
    this.grids.set(symbol, grid);
    this.ctx.state.set(gridStateKey(symbol), grid);
  }
}
