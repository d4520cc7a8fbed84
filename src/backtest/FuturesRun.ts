import type { Fixed } from '../core/Fixed.js';
import { ZERO, add, formatFixed, neg, toNumber } from '../core/Fixed.js';
import { QtsError } from '../core/QtsError.js';
import type { FundingRateSeries } from '../data/loadFundingRates.js';
import type { MarkPriceSeries } from '../data/loadMarkPrices.js';
import type { OrderFilled } from '../model/events.js';
import type { ClearingEvent } from '../model/futuresEvents.js';
import { liquidationFill } from '../model/futuresEvents.js';
import type { Instrument } from '../model/Instrument.js';
import type { MarginMode } from '../model/MarginMode.js';
import type { TradingNode } from '../node/TradingNode.js';
import type { FundingPoint, MarkPoint, PerpetualClearingOptions } from '../sim/PerpetualClearing.js';
import type { SimulatedVenue } from '../sim/SimulatedVenue.js';

/** How a backtest trades perpetuals: leverage and margin mode of every symbol, funding and mark histories. */
export interface FuturesBacktestConfig {
  readonly leverage: number;
  readonly marginMode: MarginMode;
  readonly funding?: readonly FundingRateSeries[];
  readonly marks?: readonly MarkPriceSeries[];
}

/** The futures figures of a backtest report (amounts in the account currency). */
export interface FuturesStats {
  readonly leverage: number;
  readonly marginMode: MarginMode;
  /** Funding paid (positive number) and received, and their net (positive = received), exact decimals. */
  readonly fundingPaid: string;
  readonly fundingReceived: string;
  readonly fundingNet: string;
  /** Settlements during which a position was open. */
  readonly fundingPayments: number;
  readonly liquidations: number;
  readonly liquidationFees: string;
  readonly insuranceCovered: string;
  /** Highest gross notional at mark ÷ equity seen at a bar's end. */
  readonly maxLeverageUsed: number;
  /** Highest margin in use (isolated margins + cross initial margin) ÷ equity seen at a bar's end. */
  readonly maxMarginUsage: number;
  /** Every liquidation: time, symbol, signed position, price, fee. */
  readonly liquidationList: readonly {
    ts: number;
    symbol: string;
    positionQty: string;
    price: string;
    fee: string;
  }[];
}

/**
 * The futures side of one backtest: sets leverage and margin mode on the account, hands the
 * venue its margin view and clearing, records funding and liquidations for the report and
 * turns each liquidation into a fill line of the trade log (order id `LIQUIDATION`), so round
 * trips and the log show how the position ended.
 */
export class FuturesRun {
  private paid: Fixed = ZERO;
  private received: Fixed = ZERO;
  private payments = 0;
  private liquidationFees: Fixed = ZERO;
  private insurance: Fixed = ZERO;
  private maxLeverage = 0;
  private maxMargin = 0;
  private readonly liquidations: FuturesStats['liquidationList'][number][] = [];
  /** Where liquidations go as fill lines (the run's fill tape). */
  private onFill: (fill: OrderFilled) => void = () => {};

  constructor(
    private readonly cfg: FuturesBacktestConfig,
    private readonly node: TradingNode,
    instruments: readonly Instrument[],
    private readonly currency: string,
    private readonly strategyId: string,
  ) {
    const perps = instruments.filter((i) => i.kind === 'PERPETUAL');
    if (perps.length === 0)
      throw new QtsError(
        'ERR_BACKTEST_NOT_FUTURES',
        'futures options need a perpetual symbol (BASE/QUOTE:SETTLE, e.g. XRP/USDT:USDT)',
      );
    for (const inst of perps)
      node.portfolio.margin.configure(inst.symbol, { leverage: cfg.leverage, mode: cfg.marginMode });
    const symbols = new Set(perps.map((i) => i.symbol));
    for (const f of [...(cfg.funding ?? []), ...(cfg.marks ?? [])])
      if (!symbols.has(f.symbol))
        throw new QtsError(
          'ERR_BACKTEST_FUTURES_SYMBOL',
          `${f.symbol} has funding or mark data but no candles`,
        );
  }

  /** What the venue needs: the account's margin and the clearing's histories. */
  venueOptions(): { margin: TradingNode['portfolio']['margin']; clearing: PerpetualClearingOptions } {
    const funding = new Map<string, FundingPoint[]>();
    for (const f of this.cfg.funding ?? [])
      funding.set(
        f.symbol,
        f.ts.map((ts, i) => ({ ts, rate: f.rate[i] as Fixed })),
      );
    const marks = new Map<string, MarkPoint[]>();
    for (const m of this.cfg.marks ?? [])
      marks.set(
        m.symbol,
        m.ts.map((ts, i) => ({ ts, price: m.price[i] as number })),
      );
    const margin = this.node.portfolio.margin;
    return { margin, clearing: { funding, marks, account: margin } };
  }

  /** Connects the venue's clearing to the node, recording on the way; liquidations also go to `onFill`. */
  attach(venue: SimulatedVenue, onFill: (fill: OrderFilled) => void): void {
    this.onFill = onFill;
    venue.clearing?.setSink((e) => {
      this.record(e);
      this.node.onClearing(e);
    });
  }

  /** Samples leverage and margin usage at a bar's end. */
  sample(equity: number): void {
    if (!(equity > 0) || !this.node.portfolio.hasExposure()) return;
    const margin = this.node.portfolio.margin;
    const lev = toNumber(margin.grossNotional(this.currency)) / equity;
    const used = toNumber(margin.marginInUse(this.currency)) / equity;
    if (lev > this.maxLeverage) this.maxLeverage = lev;
    if (used > this.maxMargin) this.maxMargin = used;
  }

  stats(): FuturesStats {
    return {
      leverage: this.cfg.leverage,
      marginMode: this.cfg.marginMode,
      fundingPaid: formatFixed(this.paid),
      fundingReceived: formatFixed(this.received),
      fundingNet: formatFixed(add(this.received, neg(this.paid))),
      fundingPayments: this.payments,
      liquidations: this.liquidations.length,
      liquidationFees: formatFixed(this.liquidationFees),
      insuranceCovered: formatFixed(this.insurance),
      maxLeverageUsed: this.maxLeverage,
      maxMarginUsage: this.maxMargin,
      liquidationList: [...this.liquidations],
    };
  }

  private record(e: ClearingEvent): void {
    if (e.type === 'FundingSettled') {
      if (e.positionQty === ZERO) return;
      this.payments++;
      if (e.amount < 0n) this.paid = add(this.paid, neg(e.amount));
      else this.received = add(this.received, e.amount);
    } else if (e.type === 'PositionLiquidated') {
      this.liquidationFees = add(this.liquidationFees, e.fee);
      this.insurance = add(this.insurance, e.insuranceCovered);
      this.liquidations.push({
        ts: e.ts,
        symbol: e.symbol,
        positionQty: formatFixed(e.positionQty),
        price: formatFixed(e.price),
        fee: formatFixed(e.fee),
      });
      this.onFill(liquidationFill(e, this.strategyId, `LIQ-${this.liquidations.length}`));
    }
  }
}
