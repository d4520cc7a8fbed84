import { z } from 'zod';
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
import type { Order } from '../model/Order.js';
import { Strategy } from '../strategy/Strategy.js';
import { canAffordBuy } from './canAffordBuy.js';

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

/** One rung of the grid, as kept in the strategy state (JSON). */
export interface GridLevel {
  /** Limit price of the buy: reference × (1 − i × spacing), i = 1 … levels. */
  readonly buyPrice: number;
  /** Limit price of the sell that closes the rung: one spacing higher. */
  readonly sellPrice: number;
  /** 'buy': waiting to buy; 'sell': holds `quantity` and waits to sell it. */
  stage: 'buy' | 'sell';
  /** Quantity held (decimal text) while the stage is 'sell'. */
  quantity: string | null;
  /** The working order of this rung, if one is out. */
  orderId: string | null;
  /** Denied or rejected last time: retried after the next sell fill or a re-centering, not on every bar. */
  parked: boolean;
}

/** The grid of one symbol, as kept in the strategy state. */
export interface GridState {
  readonly reference: number;
  readonly spacingPct: number;
  readonly levels: GridLevel[];
}

const stateKey = (symbol: string): string => `grid:${symbol}`;

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
 * restarted strategy resumes it; a rung whose order is no longer open at the restart is
 * placed again in the stage it was last seen in.
 */
export class GridTrading extends Strategy<GridTradingParams> {
  static readonly id = 'grid';
  static readonly description = 'Grid of limit buys below a reference price, each sold one spacing higher';
  static readonly paramsSchema = paramsSchema;

  private readonly grids = new Map<string, GridState>();

  override onStart(): void {
    super.onStart();
    for (const symbol of this.ctx.symbols) {
      const saved = this.ctx.state.get<GridState>(stateKey(symbol));
      if (!saved) continue;
      const open = new Set(this.ctx.openOrders(symbol).map((o) => o.id));
      for (const level of saved.levels) {
        if (level.orderId !== null && !open.has(level.orderId)) level.orderId = null;
      }
      this.save(symbol, saved);
    }
  }

  override onBar(bar: Bar): void {
    // A grid is laid around the live price: on warm-up history its orders would only be
    // refused, and a refused rung is parked until a sale frees cash.
    if (this.ctx.isWarmingUp) return;
    let grid = this.grids.get(bar.symbol);
    if (!grid) {
      grid = this.build(bar.close);
      this.save(bar.symbol, grid);
    } else if (this.leftGrid(grid, bar.close) && !this.holdsInventory(bar.symbol, grid)) {
      const old = grid;
      grid = this.build(bar.close);
      this.save(bar.symbol, grid);
      // The new grid is in place first, so the cancel events of the old orders match no rung.
      for (const level of old.levels) if (level.orderId !== null) this.ctx.cancel(level.orderId);
    }
    this.placeMissing(bar.symbol, grid);
  }

  override onOrderUpdate(order: Order, _event: OrderEvent): void {
    if (!order.isTerminal) return;
    const grid = this.grids.get(order.symbol);
    const level = grid?.levels.find((l) => l.orderId === order.id);
    if (!grid || !level) {
      if (order.filledQty > ZERO) {
        this.ctx.log.warn('fill of an order no longer in the grid', { orderId: order.id, side: order.side });
      }
      return;
    }
    this.settle(grid, level, order);
    this.save(order.symbol, grid);
  }

  private build(reference: number): GridState {
    const s = this.params.spacingPct / 100;
    const levels: GridLevel[] = [];
    for (let i = 1; i <= this.params.levels; i++) {
      levels.push({
        buyPrice: reference * (1 - i * s),
        sellPrice: reference * (1 - (i - 1) * s),
        stage: 'buy',
        quantity: null,
        orderId: null,
        parked: false,
      });
    }
    return { reference, spacingPct: this.params.spacingPct, levels };
  }

  /** Close above the reference, or below the lowest buy, by more than one spacing. */
  private leftGrid(grid: GridState, close: number): boolean {
    const step = grid.reference * (grid.spacingPct / 100);
    const lowest = grid.levels.reduce((m, l) => Math.min(m, l.buyPrice), grid.reference);
    return close > grid.reference + step || close < lowest - step;
  }

  /** Any rung holding coins, or a buy already partly filled. */
  private holdsInventory(symbol: string, grid: GridState): boolean {
    if (grid.levels.some((l) => l.stage === 'sell')) return true;
    const working = new Set(grid.levels.map((l) => l.orderId));
    return this.ctx.openOrders(symbol).some((o) => working.has(o.id) && o.filledQty > ZERO);
  }

  private placeMissing(symbol: string, grid: GridState): void {
    const inst = this.ctx.instrument(symbol);
    let changed = false;
    for (const level of grid.levels) {
      if (level.orderId !== null || level.parked) continue;
      let order: Order;
      if (level.stage === 'sell') {
        const qty = toFixed(level.quantity ?? '0');
        order = this.ctx.sell(symbol, qty, { type: 'LIMIT', price: level.sellPrice, tag: 'grid' });
      } else {
        const px = roundToStep(fromNumber(level.buyPrice), inst.tickSize);
        if (px <= ZERO) continue;
        const budget = toFixed(this.params.orderSize * this.ctx.portfolio.equity());
        // Like the all-in sizer: the level's notional plus its taker fee fits the budget.
        const qty = floorToStep(divTrunc(budget, mul(px, add(ONE, inst.takerFee))), inst.lotSize);
        if (!canAffordBuy(this.ctx, symbol, qty, px)) continue;
        order = this.ctx.buy(symbol, qty, { type: 'LIMIT', price: px, tag: 'grid' });
      }
      changed = true;
      level.orderId = order.id;
      // A denial (or an immediate fill) arrives before the id is known here: settle it now.
      if (order.isTerminal) this.settle(grid, level, order);
    }
    if (changed) this.save(symbol, grid);
  }

  private settle(grid: GridState, level: GridLevel, order: Order): void {
    level.orderId = null;
    const refused = order.status === 'DENIED' || order.status === 'REJECTED';
    if (order.side === 'BUY') {
      if (order.filledQty > ZERO) {
        level.stage = 'sell';
        level.quantity = formatFixed(order.filledQty);
      } else if (refused) {
        level.parked = true;
      }
      return;
    }
    const left = sub(toFixed(level.quantity ?? '0'), order.filledQty);
    if (left > ZERO) {
      level.quantity = formatFixed(left);
      if (refused) level.parked = true;
      return;
    }
    level.stage = 'buy';
    level.quantity = null;
    // Cash came back: rungs parked for want of it may try again.
    for (const l of grid.levels) l.parked = false;
  }

  private save(symbol: string, grid: GridState): void {
    this.grids.set(symbol, grid);
    this.ctx.state.set(stateKey(symbol), grid);
  }
}
