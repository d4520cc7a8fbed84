/**
 * Funding of the fake's USDT-M perpetuals, as Binance settles it: at each funding time every
 * open position pays or receives `position notional at mark × rate` (longs pay a positive rate,
 * shorts receive it), straight into the USDT wallet, and one FUNDING_FEE income row is written
 * per position. Funding times follow a market's schedule (`funding: { everyMs, rate }`: epoch
 * multiples of everyMs in replay time, as Binance's 00:00/08:00/16:00 UTC) or a test's
 * `settle()`. Amounts are exact in units of 1e-8, truncated toward zero like the fake's fees.
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/account/rest-api/Get-Income-History
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Get-Funding-Rate-History
 */
import { fmtUnits, mulUnits, parseUnits } from './decimal.js';
import type { FuturesLedger } from './FuturesLedger.js';
import type { MarketReplay } from './MarketReplay.js';

/** A market's funding schedule: a settlement every `everyMs` at `rate` (decimal, e.g. '0.0001'). */
export interface FundingSchedule {
  readonly everyMs: number;
  readonly rate: string;
}

/** Income types the fake writes: funding, and liquidation clearance fees booked apart from the trades. */
export type FakeIncomeType = 'FUNDING_FEE' | 'INSURANCE_CLEAR';

/** One income row (what GET /fapi/v1/income lists): FUNDING_FEE unless it says otherwise. */
export interface FundingIncome {
  readonly incomeType?: FakeIncomeType;
  readonly symbol: string;
  /** Signed units of 1e-8: negative = paid. */
  readonly income: bigint;
  readonly asset: string;
  readonly time: number;
  readonly tranId: number;
}

/** One settled rate of a symbol (what GET /fapi/v1/fundingRate lists). */
export interface SettledRate {
  readonly symbol: string;
  readonly rate: bigint;
  readonly time: number;
  readonly markPrice: bigint;
}

/** Page selection of Binance's history endpoints: [startTime, endTime], at most `limit` rows. */
export interface HistoryQuery {
  readonly symbol?: string;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly limit: number;
}

/** Funding settlements, income rows and settled rates of the fake's perpetuals. */
export class FuturesFunding {
  readonly incomeRows: FundingIncome[] = [];
  readonly rates: SettledRate[] = [];
  private tranSeq = 7_700_000_000;
  private readonly nextDue = new Map<string, number>();

  constructor(
    private readonly ledger: FuturesLedger,
    private readonly schedules: ReadonlyMap<string, FundingSchedule>,
    /** Tells the user-data stream (ACCOUNT_UPDATE, reason FUNDING_FEE) what moved. */
    private readonly published: (symbols: readonly string[], time: number) => void,
  ) {
    for (const [id, s] of schedules)
      if (!(s.everyMs > 0) || parseSignedUnits(s.rate) === undefined)
        throw new Error(`FakeBinance: bad funding schedule of ${id}: ${JSON.stringify(s)}`);
  }

  /**
   * Settles funding of `symbol` (Binance id) at `rate` now (`time`, replay time): the open
   * position pays or receives notional at mark × rate. Returns the income row (undefined when
   * flat: Binance writes none).
   */
  settle(symbol: string, rate: string, time: number): FundingIncome | undefined {
    const r = parseSignedUnits(rate);
    if (r === undefined) throw new Error(`FakeBinance: funding rate must be a decimal, got ${rate}`);
    const mark = this.ledger.markPrice(symbol);
    this.rates.push({ symbol, rate: r, time, markPrice: mark });
    const p = this.ledger.position(symbol);
    if (p.amt === 0n) return undefined;
    const income = -mulUnits(mulUnits(p.amt, mark), r);
    if (income === 0n) return undefined;
    this.ledger.wallet += income;
    // An isolated position's funding is paid out of (or into) its isolated wallet.
    if (p.marginType === 'isolated') p.isolatedWallet += income;
    const row: FundingIncome = { symbol, income, asset: this.ledger.asset, time, tranId: this.tranSeq++ };
    this.incomeRows.push(row);
    this.published([symbol], time);
    return row;
  }

  /**
   * Charges the liquidation clearance fee of `symbol` (Binance id) as its own income row
   * (INSURANCE_CLEAR, `fee` units out of the wallet at `time`), the way Binance may book it
   * apart from the liquidation's trades. Returns the row.
   */
  clearance(symbol: string, fee: bigint, time: number): FundingIncome {
    this.ledger.wallet -= fee;
    const row: FundingIncome = {
      incomeType: 'INSURANCE_CLEAR',
      symbol,
      income: -fee,
      asset: this.ledger.asset,
      time,
      tranId: this.tranSeq++,
    };
    this.incomeRows.push(row);
    return row;
  }

  /** Settles every scheduled funding time the replay clock of `m` reached. */
  onTrade(m: MarketReplay): void {
    const s = this.schedules.get(m.id);
    if (s === undefined) return;
    let due = this.nextDue.get(m.id) ?? nextMultiple(m.now(), s.everyMs);
    while (m.now() >= due) {
      this.settle(m.id, s.rate, due);
      due += s.everyMs;
    }
    this.nextDue.set(m.id, due);
  }

  /** premiumIndex's nextFundingTime: the next scheduled settlement (0 without a schedule). */
  nextFundingTime(symbol: string, now: number): number {
    const s = this.schedules.get(symbol);
    if (s === undefined) return 0;
    return this.nextDue.get(symbol) ?? nextMultiple(now, s.everyMs);
  }

  /** premiumIndex's lastFundingRate: the last settled rate, else the schedule's (0 without one). */
  lastRate(symbol: string): string {
    for (let i = this.rates.length - 1; i >= 0; i--) {
      const r = this.rates[i];
      if (r?.symbol === symbol) return fmtUnits(r.rate);
    }
    const s = this.schedules.get(symbol);
    return s === undefined ? fmtUnits(0n) : fmtUnits(parseSignedUnits(s.rate) ?? 0n);
  }

  /** GET /fapi/v1/income rows of `type` (undefined: every type), oldest first, as Binance writes them. */
  income(q: HistoryQuery, now: number, type?: FakeIncomeType): Record<string, unknown>[] {
    const rows = this.incomeRows.filter(
      (r) => type === undefined || (r.incomeType ?? 'FUNDING_FEE') === type,
    );
    return page(rows, q, now).map((r) => ({
      symbol: r.symbol,
      incomeType: r.incomeType ?? 'FUNDING_FEE',
      income: fmtUnits(r.income),
      asset: r.asset,
      info: r.incomeType ?? 'FUNDING_FEE',
      time: r.time,
      tranId: r.tranId,
      tradeId: '',
    }));
  }

  /** GET /fapi/v1/fundingRate rows, oldest first. */
  rateHistory(q: HistoryQuery, now: number): Record<string, unknown>[] {
    return page(this.rates, q, now).map((r) => ({
      symbol: r.symbol,
      fundingRate: fmtUnits(r.rate),
      fundingTime: r.time,
      markPrice: fmtUnits(r.markPrice),
    }));
  }
}

/** Binance: without startTime and endTime, the last 7 days; with startTime, the oldest rows from it. */
const DEFAULT_WINDOW_MS = 7 * 86_400_000;

function page<T extends { symbol: string; time: number }>(
  rows: readonly T[],
  q: HistoryQuery,
  now: number,
): T[] {
  const from = q.startTime ?? (q.endTime === undefined ? now - DEFAULT_WINDOW_MS : 0);
  const to = q.endTime ?? Number.MAX_SAFE_INTEGER;
  const hits = rows.filter(
    (r) => (q.symbol === undefined || r.symbol === q.symbol) && r.time >= from && r.time <= to,
  );
  return q.startTime !== undefined ? hits.slice(0, q.limit) : hits.slice(-q.limit);
}

function nextMultiple(t: number, every: number): number {
  return (Math.floor(t / every) + 1) * every;
}

/** A signed decimal string in units of 1e-8 ('-0.0003' → -30000n). */
export function parseSignedUnits(s: string): bigint | undefined {
  const t = s.trim();
  const neg = t.startsWith('-');
  const u = parseUnits(neg ? t.slice(1) : t);
  return u === undefined ? undefined : neg ? -u : u;
}
