import { createHash } from 'node:crypto';
import { equityDownsample } from './equityDownsample.js';
import { computeStats } from './stats.js';
import type { BacktestStats } from './stats.js';
import type { EquityCurve, FillRecord, RoundTrip } from './types.js';
import type { FuturesStats } from './FuturesRun.js';
import type { SlippageModel } from '../sim/FillModel.js';

/** Most points the report's equity curve keeps (min and max of each bucket, so drawdowns stay visible). */
export const REPORT_EQUITY_POINTS = 2000;

/** Everything a finished backtest hands to {@link buildReport}. */
export interface ReportInput {
  readonly strategy: string;
  readonly params: Record<string, unknown>;
  readonly symbols: string[];
  readonly timeframe: string;
  readonly dataFiles: string[];
  readonly seed: number;
  /** Fill model name (e.g. "next-open"). */
  readonly fill: string;
  /** Commission rate, or null when the venue's fee schedule was used. */
  readonly commission: number | null;
  /** Rate charged on maker fills (the commission unless overridden), or null for the venue's schedule. */
  readonly makerFee: number | null;
  /** Rate charged on taker fills (the commission unless overridden), or null for the venue's schedule. */
  readonly takerFee: number | null;
  /** How taker fills were priced worse than the quote. */
  readonly slippage: SlippageModel;
  readonly initialCash: number;
  readonly currency: string;
  readonly curve: EquityCurve;
  readonly fills: readonly FillRecord[];
  readonly trips: readonly RoundTrip[];
  /** Orders filled in full (the OMS's FILLED count). */
  readonly ordersFilled: number;
  readonly ordersTotal: number;
  readonly ordersDenied: number;
  /** Orders still open (resting, or a market order not yet filled) when the data ended. */
  readonly ordersOpen: number;
  /** Orders filled in part then canceled or expired, and partly filled ones still open; 0 when left out. */
  readonly ordersPartlyFilled?: number;
  readonly ordersOpenPartlyFilled?: number;
  /** Refused orders by reason code (see BacktestReport.ordersRefused); none when left out. */
  readonly ordersRefused?: Readonly<Record<string, number>>;
  readonly feesPaid: number;
  readonly barsInMarket: number;
  readonly finalEquity: number;
  /** Final equity from the exact ledger, as a decimal string. */
  readonly finalEquityExact: string;
  /** The byte-exact trade log of the run; the report keeps its SHA-256, not the text. */
  readonly tradeLog: string;
  readonly warnings: string[];
  /** Annual risk-free rate for Sharpe/Sortino (fraction); 0 when omitted. */
  readonly riskFreeRate?: number;
  /** Close prices per symbol, for the HTML price charts (not stored in the JSON). */
  readonly prices?: { symbol: string; ts: Float64Array; close: Float64Array }[];
  /** Perpetual backtests: funding, liquidations, leverage and margin figures. */
  readonly futures?: FuturesStats;
}

/** One point of the report's (downsampled) equity curve. */
export interface EquityPoint {
  readonly ts: number;
  readonly equity: number;
}

/**
 * The JSON report of a backtest. The statistics appear twice on purpose: flat at the top
 * level (for `jq .sharpe` and spreadsheet imports) and grouped under `stats` (for code that
 * passes them around as one value). Keys always come in the order declared here.
 */
export interface BacktestReport extends BacktestStats {
  readonly schemaVersion: 1;
  readonly strategy: string;
  readonly params: Record<string, unknown>;
  readonly symbols: readonly string[];
  readonly timeframe: string;
  readonly dataFiles: readonly string[];
  readonly seed: number;
  readonly fill: string;
  readonly commission: number | null;
  /**
   * The fee rates the run charged: a maker fill (a resting limit order) pays `makerFee`, a
   * taker fill (market, triggered stop, a limit crossing on arrival) `takerFee`. Each is the
   * commission unless set apart; null where the venue's schedule applied.
   */
  readonly makerFee: number | null;
  readonly takerFee: number | null;
  /** Slippage of taker fills: none, a fixed `bps`, or half of a quoted spread of `spreadBps`. */
  readonly slippage: SlippageModel;
  readonly initialCash: number;
  readonly currency: string;
  readonly riskFreeRate: number;
  readonly finalEquity: number;
  readonly finalEquityExact: string;
  /**
   * Orders filled in full ("count of filled orders"). An order that filled in part and then
   * ended canceled or expired (a partly filled limit canceled by its strategy, a bracket child
   * cut short) is not here: it counts with the canceled and expired ones below, though its
   * fills are in `fills` and the trade list.
   */
  readonly orders: number;
  readonly ordersTotal: number;
  readonly ordersDenied: number;
  /**
   * Orders still open when the data ended (resting limits and stops, a market order sent on the
   * last bar; some may have filled in part): neither filled in full nor refused. The rest of
   * ordersTotal − orders − ordersDenied − ordersOpen was rejected, canceled or expired at the
   * venue, partly filled ones among them.
   */
  readonly ordersOpen: number;
  /**
   * Orders that filled in part and then ended canceled or expired (counted in neither `orders`
   * nor `ordersOpen`; their fills are in `fills`), and orders still open when the data ended
   * with part of them filled (counted in `ordersOpen`).
   */
  readonly ordersPartlyFilled: number;
  readonly ordersOpenPartlyFilled: number;
  /**
   * Orders refused, by reason code: denied by risk (ERR_RISK_…) or rejected by the venue
   * (ERR_INSUFFICIENT_FUNDS, ERR_POST_ONLY_WOULD_TAKE, …). Canceled and expired orders are not here.
   */
  readonly ordersRefused: Readonly<Record<string, number>>;
  readonly stats: BacktestStats;
  readonly warnings: readonly string[];
  /** Hex SHA-256 of the UTF-8 trade log: two runs agree byte for byte iff these agree. */
  readonly tradeLogSha256: string;
  /** At most {@link REPORT_EQUITY_POINTS} points; first, last, each bucket's min and max and its deepest drawdown kept. */
  readonly equityCurve: readonly EquityPoint[];
  readonly tradeList: readonly RoundTrip[];
  readonly fills: readonly FillRecord[];
  /** Perpetual backtests only (absent for spot). */
  readonly futures?: FuturesStats;
}

/**
 * Builds the report of a finished run: statistics, downsampled equity curve, trade list,
 * fills and the inputs needed to reproduce it. Pure: the same input gives the same report,
 * key for key (params are re-keyed in sorted order, trips and fills in their type's order).
 */
export function buildReport(input: ReportInput): BacktestReport {
  return assembleReport(
    input,
    createHash('sha256').update(input.tradeLog, 'utf8').digest('hex'),
    input.trips.map(copyTrip),
    input.fills.map(copyFill),
  );
}

/** What {@link buildRunReport} takes: the trade log's hash instead of its text. */
export interface RunReportInput extends Omit<ReportInput, 'tradeLog'> {
  readonly tradeLogSha256: string;
}

/**
 * {@link buildReport} for the run that just made its inputs: the trips and fill records are
 * fresh objects in their type's key order, and the report keeps them as they are instead
 * of copying each one (the result and its report then share them; both are read-only).
 */
export function buildRunReport(input: RunReportInput): BacktestReport {
  return assembleReport(input, input.tradeLogSha256, input.trips, input.fills);
}

function assembleReport(
  input: Omit<ReportInput, 'tradeLog'>,
  tradeLogSha256: string,
  tradeList: readonly RoundTrip[],
  fills: readonly FillRecord[],
): BacktestReport {
  const riskFreeRate = input.riskFreeRate ?? 0;
  const stats = computeStats({
    curve: input.curve,
    trips: input.trips,
    initialEquity: input.initialCash,
    feesPaid: input.feesPaid,
    barsInMarket: input.barsInMarket,
    riskFreeRate,
  });
  return {
    schemaVersion: 1,
    strategy: input.strategy,
    params: sortKeys(input.params) as Record<string, unknown>,
    symbols: [...input.symbols],
    timeframe: input.timeframe,
    dataFiles: [...input.dataFiles],
    seed: input.seed,
    fill: input.fill,
    commission: input.commission,
    makerFee: input.makerFee,
    takerFee: input.takerFee,
    slippage: { ...input.slippage },
    initialCash: input.initialCash,
    currency: input.currency,
    riskFreeRate,
    finalEquity: input.finalEquity,
    finalEquityExact: input.finalEquityExact,
    orders: input.ordersFilled,
    ordersTotal: input.ordersTotal,
    ordersDenied: input.ordersDenied,
    ordersOpen: input.ordersOpen,
    ordersPartlyFilled: input.ordersPartlyFilled ?? 0,
    ordersOpenPartlyFilled: input.ordersOpenPartlyFilled ?? 0,
    ordersRefused: { ...(input.ordersRefused ?? {}) },
    ...stats,
    stats,
    warnings: [...input.warnings],
    tradeLogSha256,
    equityCurve: downsampleEquity(input.curve, REPORT_EQUITY_POINTS),
    tradeList,
    fills,
    ...(input.futures === undefined ? {} : { futures: input.futures }),
  };
}

/** The report as JSON text: 2-space indentation, non-finite numbers as null, final newline. */
export function stableJson(report: BacktestReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/**
 * The equity curve reduced to at most `maxPoints` points, keeping each bucket's min and max and
 * its deepest fall from the running peak (equityDownsample).
 * Of points sharing a timestamp (one per symbol in a multi-symbol run) only the last is kept,
 * as the statistics count them: the earlier ones value some symbols at this bar and the rest
 * at the previous one, and their dips drew drawdowns deeper than the reported maximum.
 */
export function downsampleEquity(curve: EquityCurve, maxPoints: number): EquityPoint[] {
  const n = Math.min(curve.ts.length, curve.equity.length);
  let shared = 0;
  for (let i = 1; i < n; i++) if (curve.ts[i] === curve.ts[i - 1]) shared++;
  // One point per timestamp (every single-symbol run): the curve as it is, no copy.
  const last = shared === 0 ? undefined : new Int32Array(n - shared);
  if (last !== undefined)
    for (let i = 0, k = 0; i < n; i++) if (i === n - 1 || curve.ts[i] !== curve.ts[i + 1]) last[k++] = i;
  const equity =
    last !== undefined
      ? Float64Array.from(last, (i) => curve.equity[i] as number)
      : n === curve.equity.length
        ? curve.equity
        : curve.equity.subarray(0, n);
  return equityDownsample(equity, maxPoints).map((k) => {
    const i = last === undefined ? k : (last[k] as number);
    return { ts: curve.ts[i] as number, equity: curve.equity[i] as number };
  });
}

function copyTrip(t: RoundTrip): RoundTrip {
  return {
    symbol: t.symbol,
    strategyId: t.strategyId,
    side: t.side,
    entryTs: t.entryTs,
    exitTs: t.exitTs,
    entryPrice: t.entryPrice,
    exitPrice: t.exitPrice,
    quantity: t.quantity,
    pnl: t.pnl,
    fees: t.fees,
    returnPct: t.returnPct,
    barsHeld: t.barsHeld,
    closed: t.closed,
  };
}

function copyFill(f: FillRecord): FillRecord {
  return {
    ts: f.ts,
    orderId: f.orderId,
    tradeId: f.tradeId,
    strategyId: f.strategyId,
    symbol: f.symbol,
    side: f.side,
    quantity: f.quantity,
    price: f.price,
    fee: f.fee,
    feeCurrency: f.feeCurrency,
    barIndex: f.barIndex,
  };
}

/** Plain objects re-keyed in sorted order, recursively, so params serialize the same every run. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const src = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(src).sort()) out[k] = sortKeys(src[k]);
    return out;
  }
  return value;
}
