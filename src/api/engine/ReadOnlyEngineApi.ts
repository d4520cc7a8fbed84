import { formatFixed } from '../../core/Fixed.js';
import { QtsError } from '../../core/QtsError.js';
import { EquitySampleStore } from '../../storage/sqlite/EquitySampleStore.js';
import { LedgerStore } from '../../storage/sqlite/LedgerStore.js';
import type { SqliteDatabase } from '../../storage/sqlite/openDatabase.js';
import type { CandleQuery, EngineApi, FillFilter, OrderFilter } from '../EngineApi.js';
import type { ComponentHealth, EngineStatus, EngineStatusSource } from '../EngineStatus.js';
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
} from '../views.js';
import { thinPoints } from './EquityHistory.js';
import { StoredQueries } from './StoredQueries.js';

function readOnly(what: string): never {
  throw new QtsError(
    'ERR_API_READ_ONLY',
    `${what}: api mode trades nothing (no venue, no OMS); send commands to the shadow or live engine`,
  );
}

/**
 * api mode's EngineApi: everything the database holds (history of orders and fills, the
 * last saved positions and balances, PnL, runs, stored candles), and no command at all.
 */
export class ReadOnlyEngineApi implements EngineApi {
  private readonly stored: StoredQueries;
  private readonly ledger: LedgerStore;
  private readonly equity: EquitySampleStore;

  constructor(
    db: SqliteDatabase,
    private readonly currency: string,
    private readonly exchangeId: string,
    private readonly source: EngineStatusSource,
  ) {
    this.stored = new StoredQueries(db, currency);
    this.ledger = new LedgerStore(db);
    this.equity = new EquitySampleStore(db);
  }

  status(): EngineStatus {
    return this.source.status();
  }
  components(): ComponentHealth[] {
    return this.source.components();
  }
  orders(q: OrderFilter): OrderView[] {
    return this.stored.orders(q);
  }
  order(id: string): OrderView | undefined {
    return this.stored.order(id);
  }
  fills(q: FillFilter): FillView[] {
    return this.stored.fills(q);
  }

  /** The positions of the last saved ledger snapshot (no live marks here). */
  positions(): PositionView[] {
    return (this.ledger.latest()?.positions ?? [])
      .filter((p) => p.qty !== 0n)
      .map((p) => ({
        symbol: p.symbol,
        qty: formatFixed(p.qty),
        costBasis: formatFixed(p.costBasis),
        avgPrice: null,
        lastPrice: null,
        markPrice: null,
        unrealizedPnl: null,
        realizedPnl: formatFixed(p.realizedPnl),
      }));
  }

  balances(): BalanceView[] {
    return Object.entries(this.ledger.latest()?.cash ?? {}).map(([currency, amount]) => ({
      currency,
      amount,
    }));
  }

  pnl(q: { from?: number | undefined; to?: number | undefined }): PnlView {
    return this.stored.pnl(q, '0');
  }

  /** The equity samples the trading engines stored (sampled, across their runs). */
  equityCurve(q: { from?: number | undefined; to?: number | undefined; points: number }): EquityCurveView {
    const points = this.equity.range(q.from, q.to).map(({ ts, equity }) => ({ ts, equity }));
    return { currency: this.currency, points: thinPoints(points, q.points) };
  }

  risk(): RiskView {
    const saved = this.stored.riskStore.load();
    return {
      state: saved?.state ?? 'NONE',
      reason: saved?.reason ?? 'api mode runs no strategy',
      since: saved?.since ?? null,
      killSwitch: saved?.killSwitch ?? false,
      limits: {},
    };
  }

  strategies(): StrategyView[] {
    return [];
  }
  symbols(): SymbolView[] {
    return this.stored.storedSymbols();
  }
  candles(q: CandleQuery): CandlesView {
    return this.stored.storedCandles(q.exchange ?? this.exchangeId, q);
  }

  ticker(symbol: string): TickerView {
    const series = this.stored.storedSymbols().find((s) => s.symbol === symbol);
    if (series === undefined) throw new QtsError('ERR_UNKNOWN_SYMBOL', `no stored candles of ${symbol}`);
    const tf = series.timeframes[0] ?? '1m';
    const last = this.stored.storedCandles(series.exchange ?? this.exchangeId, {
      symbol,
      timeframe: tf,
      limit: 1,
    }).candles[0];
    return { symbol, last: last?.close ?? null, at: last?.ts ?? null, stale: true };
  }

  runs(limit: number): RunView[] {
    return this.stored.runs(limit);
  }

  cancelOrder(): CommandResultView {
    return readOnly('cancel');
  }
  amendOrder(): CommandResultView {
    return readOnly('amend');
  }
  closePosition(): CommandResultView {
    return readOnly('close position');
  }
  kill(): CommandResultView {
    return readOnly('kill switch');
  }
  resume(): CommandResultView {
    return readOnly('resume');
  }
  startStrategy(): StrategyView {
    return readOnly('start strategy');
  }
  stopStrategy(): StrategyView {
    return readOnly('stop strategy');
  }
  updateStrategyParams(): StrategyView {
    return readOnly('update parameters');
  }
}
