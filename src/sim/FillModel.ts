import type { Fixed } from '../core/Fixed.js';
import { ZERO, add, div, floorToStep, fromNumber, mul, sub } from '../core/Fixed.js';
import { QtsError } from '../core/QtsError.js';
import type { Instrument } from '../model/Instrument.js';
import { Liquidity, OrderSide } from '../model/enums.js';
import { ceilToStep } from './priceRounding.js';

/**
 * How much worse than the quoted price a taker fill is. `bps` moves the price by a fixed
 * fraction; `spread` models crossing half of a quoted spread of `spreadBps`.
 */
export type SlippageModel =
  | { readonly kind: 'none' }
  | { readonly kind: 'bps'; readonly bps: number }
  | { readonly kind: 'spread'; readonly spreadBps: number };

/** How the simulated venue turns bars into fills. One config serves backtest and shadow alike. */
export interface FillModelConfig {
  /**
   * Market orders submitted while a bar is current fill at that bar's close
   * (backtrader's cheat-on-close) or at the next bar's open (default: the strategy decided
   * after seeing the close, so the first price it can really get is the next open).
   */
  readonly fillAt: 'close' | 'next-open';
  /**
   * Order in which the prices inside a bar are assumed to be visited: 'ohlc' O→H→L→C for
   * every order; 'adaptive' O→H→L→C on a down bar (close < open) else O→L→H→C;
   * 'pessimistic' each order sees its adverse extreme first (SELL O→L→H→C, BUY O→H→L→C).
   */
  readonly intrabar: 'pessimistic' | 'ohlc' | 'adaptive';
  /** Max fraction of one bar's volume one order can fill per bar (partial fills); null = unlimited. */
  readonly volumeShare: number | null;
  /**
   * Applied against us on taker fills: orders that execute as market (market, stop, triggered)
   * and limits that cross the book, which pay it up to their limit price and never beyond.
   */
  readonly slippage: SlippageModel;
  /**
   * An order reaches the venue this long after submit (clock time); before that it cannot
   * fill. Arriving inside a bar, it joins the bar's intrabar walk at the same share of the
   * bar (1 ms into a 1-minute bar: 1/60000 of the way from the open), so a latency shorter
   * than the bar costs that part of the bar, not the whole bar.
   */
  readonly latencyMs: number;
  /** Overrides the instrument's maker and taker fee rates when set. */
  readonly commission: Fixed | null;
}

/** Next-open fills, pessimistic intrabar path, unlimited volume, no slippage, no latency, instrument fees. */
export const DEFAULT_FILL_MODEL: FillModelConfig = Object.freeze({
  fillAt: 'next-open',
  intrabar: 'pessimistic',
  volumeShare: null,
  slippage: Object.freeze({ kind: 'none' }),
  latencyMs: 0,
  commission: null,
});

const TEN_THOUSAND = fromNumber(10_000);

/**
 * The price, fee and size rules of a fill, precomputed from a FillModelConfig so the hot
 * path only does bigint arithmetic.
 */
export class FillModel {
  readonly config: FillModelConfig;
  /** Fraction of the price a taker loses to slippage, or undefined for none. */
  private readonly slipFraction: Fixed | undefined;

  constructor(config: FillModelConfig) {
    checkConfig(config);
    this.config = config;
    const s = config.slippage;
    this.slipFraction =
      s.kind === 'bps'
        ? div(fromNumber(s.bps), TEN_THOUSAND)
        : s.kind === 'spread'
          ? div(fromNumber(s.spreadBps / 2), TEN_THOUSAND)
          : undefined;
  }

  /**
   * The price a taker actually gets: worse by the slippage, then rounded to the tick
   * against him (a buyer up, a seller down), as a real book only trades on ticks.
   */
  slip(px: Fixed, side: OrderSide, tick: Fixed): Fixed {
    if (this.slipFraction === undefined) return px;
    const delta = mul(px, this.slipFraction);
    return side === OrderSide.BUY ? ceilToStep(add(px, delta), tick) : floorToStep(sub(px, delta), tick);
  }

  /** The fee rate of a fill: the configured commission, else the instrument's maker or taker rate. */
  feeRate(instrument: Instrument, liquidity: Liquidity): Fixed {
    if (this.config.commission !== null) return this.config.commission;
    return liquidity === Liquidity.MAKER ? instrument.makerFee : instrument.takerFee;
  }

  /** Fee of a fill in the settle currency: notional (qty × px, as the ledger books it) × rate. */
  fee(instrument: Instrument, qty: Fixed, px: Fixed, liquidity: Liquidity): Fixed {
    return this.feeOn(instrument, mul(qty, px), liquidity);
  }

  /** The same fee from a notional the caller already has (qty × px, exact). */
  feeOn(instrument: Instrument, notional: Fixed, liquidity: Liquidity): Fixed {
    return mul(notional, this.feeRate(instrument, liquidity));
  }

  /**
   * Fee of a fill whose instrument does not charge everything in quote (feeSide ≠ 'quote'):
   * in the base coin qty × rate, else notional × rate, rounded down to the instrument's
   * feeStep as the exchange books commissions (Binance truncates to 8 decimals).
   */
  feeBySide(
    instrument: Instrument,
    inBase: boolean,
    qty: Fixed,
    notional: Fixed,
    liquidity: Liquidity,
  ): Fixed {
    return floorToStep(mul(inBase ? qty : notional, this.feeRate(instrument, liquidity)), instrument.feeStep);
  }

  /**
   * Most one order may fill in one bar of `volume`, floored to the lot: an order larger
   * than the market traded in that bar could not have filled there. Undefined = no limit.
   */
  volumeCap(volume: number, lotSize: Fixed): Fixed | undefined {
    const share = this.config.volumeShare;
    if (share === null) return undefined;
    const raw = share * volume;
    if (!(raw > 0) || !Number.isFinite(raw)) return ZERO;
    return floorToStep(fromNumber(raw), lotSize);
  }
}

function checkConfig(c: FillModelConfig): void {
  const bad = (why: string): never => {
    throw new QtsError('ERR_INVALID_FILL_MODEL', `fill model: ${why}`);
  };
  if (c.volumeShare !== null && !(c.volumeShare > 0 && c.volumeShare <= 1))
    bad('volumeShare must be in (0, 1]');
  if (!(c.latencyMs >= 0) || !Number.isFinite(c.latencyMs)) bad('latencyMs must be a finite number ≥ 0');
  const s = c.slippage;
  const bps = s.kind === 'bps' ? s.bps : s.kind === 'spread' ? s.spreadBps : 0;
  if (!(bps >= 0 && bps < 10_000)) bad('slippage bps must be in [0, 10000)');
  if (c.commission !== null && c.commission < 0n) bad('commission must be ≥ 0');
}

/**
 * What a market buy of `px` pays under `config`'s slippage (up by it, on the tick above), for
 * sizing: an all-in buy sized on the bare price would ask more cash than there is and be
 * rejected on every signal. Undefined without slippage: the price is the price.
 */
export function slippedBuyPrice(
  config: FillModelConfig,
): ((instrument: Instrument, px: Fixed) => Fixed) | undefined {
  if (config.slippage.kind === 'none') return undefined;
  const model = new FillModel(config);
  return (instrument, px) => model.slip(px, OrderSide.BUY, instrument.tickSize);
}
