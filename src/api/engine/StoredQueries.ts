import type { Fixed } from '../../core/Fixed.js';
import { formatFixed, sub, toNumber } from '../../core/Fixed.js';
import { barAt } from '../../model/BarSeries.js';
import type { OrderStatus } from '../../model/enums.js';
import { CandleStore } from '../../storage/sqlite/CandleStore.js';
import { FillStore } from '../../storage/sqlite/FillStore.js';
import type { SqliteDatabase } from '../../storage/sqlite/openDatabase.js';
import { OrderStore } from '../../storage/sqlite/OrderStore.js';
import { RiskStateStore } from '../../storage/sqlite/RiskStateStore.js';
import { RunStore } from '../../storage/sqlite/RunStore.js';
import type { CandleQuery, FillFilter, OrderFilter } from '../EngineApi.js';
import type { CandlesView, FillView, OrderView, PnlView, RunView, SymbolView } from '../views.js';
import { realizedPnl } from './realizedPnl.js';
import { fillView, orderView, runView } from './toViews.js';

/**
 * The queries every mode answers from the SQLite system of record: order and fill history,
 * realized PnL, runs, the persisted trading state and stored candles.
 */
export class StoredQueries {
  readonly orderStore: OrderStore;
  readonly fillStore: FillStore;
  readonly riskStore: RiskStateStore;
  readonly runStore: RunStore;
  readonly candleStore: CandleStore;

  constructor(
    db: SqliteDatabase,
    private readonly currency: string,
  ) {
    this.orderStore = new OrderStore(db);
    this.fillStore = new FillStore(db);
    this.riskStore = new RiskStateStore(db);
    this.runStore = new RunStore(db);
    this.candleStore = new CandleStore(db);
  }

  orders(q: OrderFilter): OrderView[] {
    return this.orderStore
      .list({
        ...(q.strategyId === undefined ? {} : { strategyId: q.strategyId }),
        ...(q.symbol === undefined ? {} : { symbol: q.symbol }),
        ...(q.status === undefined ? {} : { status: q.status as OrderStatus[] }),
        ...(q.open === undefined ? {} : { open: q.open }),
        ...(q.from === undefined ? {} : { from: q.from }),
        ...(q.to === undefined ? {} : { to: q.to }),
        limit: q.limit,
        offset: q.offset,
      })
      .map(orderView);
  }

  order(id: string): OrderView | undefined {
    const r = this.orderStore.get(id);
    return r && orderView(r);
  }

  fills(q: FillFilter): FillView[] {
    return this.fillStore
      .list({
        ...(q.orderId === undefined ? {} : { orderId: q.orderId }),
        ...(q.strategyId === undefined ? {} : { strategyId: q.strategyId }),
        ...(q.symbol === undefined ? {} : { symbol: q.symbol }),
        ...(q.from === undefined ? {} : { from: q.from }),
        ...(q.to === undefined ? {} : { to: q.to }),
        limit: q.limit,
        offset: q.offset,
      })
      .map(fillView);
  }

  /** Realized PnL from the fills, with `unrealized` supplied by the caller (it needs live marks). */
  pnl(window: { from?: number | undefined; to?: number | undefined }, unrealized: string): PnlView {
    const r = realizedPnl(this.fillStore.history(window.to), this.currency, window);
    const net = (b: { realized: Fixed; fees: Fixed }): string => formatFixed(sub(b.realized, b.fees));
    return {
      currency: this.currency,
      realized: formatFixed(r.realized),
      unrealized,
      fees: formatFixed(r.fees),
      byStrategy: [...r.byStrategy].map(([strategyId, b]) => ({
        strategyId,
        realized: formatFixed(b.realized),
        fees: formatFixed(b.fees),
        net: net(b),
        fills: b.fills,
      })),
      byDay: [...r.byDay].map(([key, b]) => {
        const [day = '', strategyId = ''] = key.split('|');
        return {
          day,
          strategyId,
          realized: formatFixed(b.realized),
          fees: formatFixed(b.fees),
          net: net(b),
          netValue: toNumber(sub(b.realized, b.fees)),
        };
      }),
    };
  }

  runs(limit: number): RunView[] {
    return this.runStore.list({ limit }).map(runView);
  }

  storedSymbols(): SymbolView[] {
    const bySymbol = new Map<string, SymbolView & { timeframes: string[] }>();
    for (const s of this.candleStore.list()) {
      const key = `${s.exchange}|${s.symbol}`;
      const v = bySymbol.get(key);
      if (v === undefined)
        bySymbol.set(key, {
          symbol: s.symbol,
          exchange: s.exchange,
          timeframes: [s.timeframe],
          first: s.first,
          last: s.last,
        });
      else bySymbol.set(key, { ...v, timeframes: [...v.timeframes, s.timeframe] });
    }
    return [...bySymbol.values()];
  }

  /** Stored candles: the first `limit` from `from` when given, else the latest `limit`. */
  storedCandles(exchange: string, q: CandleQuery): CandlesView {
    const s = this.candleStore.range(exchange, q.symbol, q.timeframe, q.from, q.to);
    const n = Math.min(s.length, q.limit);
    const start = q.from === undefined ? s.length - n : 0;
    return {
      symbol: q.symbol,
      timeframe: q.timeframe,
      candles: Array.from({ length: n }, (_, i) => {
        const { closed: _c, symbol: _s, timeframe: _t, ...c } = barAt(s, start + i);
        return c;
      }),
    };
  }
}
