import type { z } from 'zod';
import type { Bar, Trade } from '../model/Bar.js';
import type { OrderEvent, OrderFilled } from '../model/events.js';
import type { FundingSettled, PositionLiquidated } from '../model/futuresEvents.js';
import type { OrderView } from '../model/OrderView.js';
import type { StrategyContext } from './StrategyContext.js';

/**
 * Base class of every strategy. Written once, it runs unchanged in backtest, shadow and
 * live: it sees the market only through its handlers and acts only through `ctx`.
 * Strategies never read Date.now(), the environment or the network.
 */
export abstract class Strategy<P = Record<string, unknown>> {
  protected readonly ctx: StrategyContext;
  readonly params: P;

  constructor(ctx: StrategyContext, params: P) {
    this.ctx = ctx;
    this.params = params;
  }

  /** Called once before data flows. The default subscribes to the configured symbols at the primary timeframe. */
  onStart(): void {
    for (const symbol of this.ctx.symbols) this.ctx.subscribeBars(symbol, this.ctx.timeframe);
  }
  /** Each closed bar, once. */
  onBar(_bar: Bar): void {}
  /** The bar still forming (live modes), as it changes; never a closed bar. */
  onBarUpdate(_bar: Bar): void {}
  /**
   * Market data of a symbol went stale (no data for the configured time) or is fresh again.
   * While stale the risk engine refuses new opening orders anyway; a strategy may also
   * cancel resting orders it no longer trusts.
   */
  onDataStatus(_symbol: string, _stale: boolean): void {}
  onTrade(_trade: Trade): void {}
  /**
   * Every event of this strategy's orders (accepted, denied, canceled, filled, …), in arrival
   * order. Shadow and live: events that arrive before the strategy can act on them (at the
   * engine's start, during warm-up) are booked at once and handed over after its warm-up, at
   * the first live price of its symbols, so orders sent in answer go out (docs/strategies.md).
   */
  onOrderUpdate(_order: OrderView, _event: OrderEvent): void {}
  /** A fill of one of this strategy's orders, after onOrderUpdate, with the ledger already updated. */
  onFill(_fill: OrderFilled, _order: OrderView): void {}
  onTimer(_name: string, _ts: number): void {}
  /** Perpetuals: a funding settlement of a subscribed symbol (the rate, and what this account paid or received). */
  onFunding(_event: FundingSettled): void {}
  /** Perpetuals: the venue liquidated this account's position in a subscribed symbol. */
  onLiquidation(_event: PositionLiquidated): void {}
  onStop(): void {}
}

/**
 * What the registry knows of a strategy class: its id, a description and the zod schema
 * of its parameters (defaults, and min/max/step in `.meta({ step })` as optimization ranges).
 */
export interface StrategyClass<P = Record<string, unknown>> {
  readonly id: string;
  readonly description: string;
  readonly paramsSchema: z.ZodType<P>;
  new (ctx: StrategyContext, params: P): Strategy<P>;
}

/**
 * A strategy class of any parameter type, as registries and runners hold them. Params
 * reach it only after its own schema parsed them, so the constructor never sees raw input.
 */
export interface AnyStrategyClass {
  readonly id: string;
  readonly description: string;
  readonly paramsSchema: z.ZodType<unknown>;
  new (ctx: StrategyContext, params: never): Strategy<unknown>;
}
