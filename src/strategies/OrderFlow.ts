import { z } from 'zod';
import { timeframeToMs } from '../core/time.js';
import type { Bar, Trade } from '../model/Bar.js';
import { Strategy } from '../strategy/Strategy.js';
import { followLongFlat } from '../strategy/followLongFlat.js';

const paramsSchema = z
  .object({
    windowMinutes: z
      .number()
      .int()
      .min(1)
      .max(1440)
      .default(15)
      .meta({ step: 1, description: 'minutes of public trades the imbalance is measured over' }),
    entry: z
      .number()
      .min(0)
      .max(1)
      .default(0.4)
      .meta({ step: 0.05, description: 'buy when (taker buy − taker sell volume) / total reaches this' }),
    exit: z
      .number()
      .min(-1)
      .max(1)
      .default(-0.2)
      .meta({ step: 0.05, description: 'sell when the imbalance falls to this' }),
    minTrades: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(20)
      .meta({ step: 1, description: 'no signal from fewer trades than this in the window' }),
  })
  .refine((p) => p.exit < p.entry, { message: 'exit must be below entry', path: ['exit'] });

export type OrderFlowParams = z.infer<typeof paramsSchema>;

/** Trades of one symbol still inside the window, oldest first. */
interface Tape {
  readonly ts: number[];
  readonly signed: number[];
  head: number;
}

/**
 * Order flow, long or flat: who is aggressive in the public trades. Over the trades of
 * the last `windowMinutes` (taker side from the exchange's print), the imbalance is
 * (taker buy volume − taker sell volume) / total volume, in [−1, 1]. At each bar close,
 * an imbalance ≥ `entry` from at least `minTrades` trades buys (buyers are lifting the
 * offer) and one ≤ `exit` sells everything. Needs a feed with public trades: in a
 * backtest, `--trades FILE` beside the matching candles.
 */
export class OrderFlow extends Strategy<OrderFlowParams> {
  static readonly id = 'order-flow';
  static readonly description =
    'Order flow: buy on taker-buy imbalance in the public trades, sell when sellers dominate';
  static readonly paramsSchema = paramsSchema;

  private readonly tapes = new Map<string, Tape>();

  override onStart(): void {
    super.onStart();
    for (const symbol of this.ctx.symbols) this.ctx.subscribeTrades(symbol);
  }

  override onTrade(trade: Trade): void {
    const t = this.tape(trade.symbol);
    t.ts.push(trade.ts);
    t.signed.push(trade.side === 'BUY' ? trade.amount : -trade.amount);
  }

  override onBar(bar: Bar): void {
    const t = this.tape(bar.symbol);
    const from = bar.ts + timeframeToMs(bar.timeframe) - this.params.windowMinutes * 60_000;
    while (t.head < t.ts.length && (t.ts[t.head] as number) < from) t.head += 1;
    if (t.head > 4096) {
      // Drop what left the window now and then, rather than shifting on every trade.
      t.ts.splice(0, t.head);
      t.signed.splice(0, t.head);
      t.head = 0;
    }
    const count = t.ts.length - t.head;
    // Summed afresh each bar (a window holds tens of trades): no running-sum drift.
    let buy = 0;
    let sell = 0;
    for (let i = t.head; i < t.ts.length; i++) {
      const x = t.signed[i] as number;
      if (x > 0) buy += x;
      else sell -= x;
    }
    const total = buy + sell;
    if (count < this.params.minTrades || !(total > 0)) return;
    const imbalance = (buy - sell) / total;
    followLongFlat(
      this.ctx,
      bar.symbol,
      imbalance >= this.params.entry ? 'long' : imbalance <= this.params.exit ? 'flat' : undefined,
    );
  }

  private tape(symbol: string): Tape {
    let t = this.tapes.get(symbol);
    if (!t) {
      t = { ts: [], signed: [], head: 0 };
      this.tapes.set(symbol, t);
    }
    return t;
  }
}
