import type { EngineStatusSource } from './EngineStatus.js';
import type {
  BalanceView,
  CandlesView,
  CommandResultView,
  EquityCurveView,
  FillView,
  OrderView,
  PnlView,
  PositionView,
  RiskView,
  RunView,
  StrategyView,
  SymbolView,
  TickerView,
} from './views.js';

export interface OrderFilter {
  readonly strategyId?: string | undefined;
  readonly symbol?: string | undefined;
  readonly status?: readonly string[] | undefined;
  readonly open?: boolean | undefined;
  readonly from?: number | undefined;
  readonly to?: number | undefined;
  readonly limit: number;
  readonly offset: number;
}

export interface FillFilter {
  readonly orderId?: string | undefined;
  readonly strategyId?: string | undefined;
  readonly symbol?: string | undefined;
  readonly from?: number | undefined;
  readonly to?: number | undefined;
  readonly limit: number;
  readonly offset: number;
}

export interface CandleQuery {
  readonly symbol: string;
  readonly timeframe: string;
  readonly exchange?: string | undefined;
  readonly from?: number | undefined;
  readonly to?: number | undefined;
  readonly limit: number;
}

/**
 * Everything the REST routes may ask of an engine, as the composition root implements it:
 * queries that read state, and commands that go through the same risk engine and OMS as a
 * strategy's orders. Routes never reach past this port. `actor` is who asked
 * (`api:<token name>`), for the engine's own log; the routes write the audit trail.
 *
 * A command that cannot be done throws a QtsError with its code (unknown order → 404,
 * order no longer open → 409, api mode → 409 ERR_API_READ_ONLY); a risk denial is not an
 * exception but a result with `ok: false` and the denied order.
 */
export interface EngineApi extends EngineStatusSource {
  orders(q: OrderFilter): OrderView[];
  order(id: string): OrderView | undefined;
  fills(q: FillFilter): FillView[];
  positions(): PositionView[];
  balances(): BalanceView[];
  pnl(q: { from?: number | undefined; to?: number | undefined }): PnlView;
  equityCurve(q: { from?: number | undefined; to?: number | undefined; points: number }): EquityCurveView;
  risk(): RiskView;
  strategies(): StrategyView[];
  symbols(): SymbolView[];
  candles(q: CandleQuery): CandlesView;
  ticker(symbol: string): TickerView;
  runs(limit: number): RunView[];

  cancelOrder(id: string, actor: string): CommandResultView;
  /**
   * Amends a resting order (new limit price and/or lower total quantity, decimal strings)
   * through risk and the OMS. A risk denial or a venue refusal is `ok: false` with the code in
   * the message; the order's terms change only once the venue confirms.
   */
  amendOrder(
    id: string,
    change: { price?: string | undefined; quantity?: string | undefined },
    actor: string,
  ): CommandResultView;
  closePosition(symbol: string, quantity: string | undefined, actor: string): CommandResultView;
  kill(flatten: boolean, reason: string, actor: string): CommandResultView;
  resume(reason: string, actor: string): CommandResultView;
  startStrategy(id: string, actor: string): StrategyView;
  stopStrategy(id: string, cancelOrders: boolean, actor: string): StrategyView;
  updateStrategyParams(id: string, params: Readonly<Record<string, unknown>>, actor: string): StrategyView;
}
