import type { Channel, MessageBus } from '../kernel/MessageBus.js';
import { barsTopic, formingBarsTopic, tradesTopic } from '../kernel/topics.js';
import type { Bar, Trade } from '../model/Bar.js';
import { BarAggregator } from './BarAggregator.js';

/**
 * What the engine keeps per symbol, found with one lookup per bar: the last price (a number
 * field, overwritten in place), the higher timeframes built from its bars, and the channel
 * its bars were last published on (a feed keeps one timeframe, so it is nearly always the one).
 */
interface SymbolData {
  last: number;
  hasLast: boolean;
  aggregators: BarAggregator[];
  timeframe: string;
  channel: Channel<Bar> | undefined;
  /** Open time of the last closed bar published (NaN before any): a later aggregator's `seenBefore`. */
  lastTs: number;
}

/**
 * Receives market data from whichever feed the mode wired in (replay, exchange stream,
 * synthetic), keeps the last price, builds the higher timeframes strategies asked for
 * from the base bars, and publishes closed bars on the bus. The same code runs in every
 * mode, so a 1h bar built from 5m bars in a backtest is the 1h bar shadow trading sees.
 */
export class DataEngine {
  private readonly symbols = new Map<string, SymbolData>();
  private readonly baseTimeframe = new Map<string, string>();
  private readonly wanted = new Set<string>();
  private lastSymbol: string | undefined;
  private lastData: SymbolData | undefined;

  constructor(private readonly bus: MessageBus) {}

  /** Declares the timeframe at which a feed delivers a symbol's bars. */
  registerBase(symbol: string, timeframe: string): void {
    this.baseTimeframe.set(symbol, timeframe);
    for (const key of this.wanted) {
      const [s, tf] = key.split('|');
      if (s === symbol && tf !== undefined) this.ensure(symbol, tf);
    }
  }

  /** Makes sure bars of symbol at timeframe will be published (building them if needed). */
  requireBars(symbol: string, timeframe: string): void {
    this.wanted.add(`${symbol}|${timeframe}`);
    if (this.baseTimeframe.has(symbol)) this.ensure(symbol, timeframe);
  }

  onBar(bar: Bar): void {
    const d = this.dataOf(bar.symbol);
    d.last = bar.close;
    d.hasLast = true;
    if (!bar.closed) {
      // The forming bar is news, not history: it goes to its own topic and builds nothing.
      this.bus.publish(formingBarsTopic(bar.symbol, bar.timeframe), bar);
      return;
    }
    if (d.channel === undefined || d.timeframe !== bar.timeframe) {
      d.channel = this.bus.channel(barsTopic(bar.symbol, bar.timeframe));
      d.timeframe = bar.timeframe;
    }
    this.bus.publishTo(d.channel, bar);
    for (const agg of d.aggregators) {
      // After a gap one base bar can complete two higher bars: publish both, oldest first.
      let out = agg.update(bar);
      while (out) {
        this.bus.publish(barsTopic(out.symbol, out.timeframe), out);
        out = agg.takeClosed();
      }
    }
    // After the aggregators: one a subscriber added while this bar was published begins with it.
    d.lastTs = bar.ts;
  }

  onTrade(trade: Trade): void {
    const d = this.dataOf(trade.symbol);
    d.last = trade.price;
    d.hasLast = true;
    this.bus.publish(tradesTopic(trade.symbol), trade);
  }

  lastPrice(symbol: string): number | undefined {
    const d = this.symbols.get(symbol);
    return d?.hasLast === true ? d.last : undefined;
  }

  private dataOf(symbol: string): SymbolData {
    // Bars come in runs of one symbol: the last entry found saves a map lookup per bar.
    if (symbol === this.lastSymbol && this.lastData !== undefined) return this.lastData;
    let d = this.symbols.get(symbol);
    if (d === undefined) {
      d = {
        last: Number.NaN,
        hasLast: false,
        aggregators: [],
        timeframe: '',
        channel: undefined,
        lastTs: Number.NaN,
      };
      this.symbols.set(symbol, d);
    }
    this.lastSymbol = symbol;
    this.lastData = d;
    return d;
  }

  private ensure(symbol: string, timeframe: string): void {
    const base = this.baseTimeframe.get(symbol);
    if (base === undefined || base === timeframe) return;
    const d = this.dataOf(symbol);
    const list = d.aggregators;
    if (list.some((a) => a.targetTimeframe === timeframe)) return;
    // A first higher bar missing its first base bars (data, or a subscription, starting
    // mid-period) is not the bar the exchange publishes: strategies never see it. The bars
    // already delivered tell whether a subscription begins inside a bucket (FirstBucket).
    const seen = Number.isNaN(d.lastTs) ? {} : { seenBefore: d.lastTs };
    list.push(new BarAggregator(symbol, base, timeframe, { dropPartialFirst: true, ...seen }));
  }
}
