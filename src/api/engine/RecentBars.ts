import type { Bar } from '../../model/Bar.js';

/** The last closed bars of each symbol the engine saw, for the dashboard's live chart. */
export class RecentBars {
  private readonly bars = new Map<string, Bar[]>();

  constructor(private readonly capacity = 2_000) {}

  add(bar: Bar): void {
    const key = `${bar.symbol}|${bar.timeframe}`;
    let list = this.bars.get(key);
    if (list === undefined) {
      list = [];
      this.bars.set(key, list);
    }
    list.push(bar);
    if (list.length > this.capacity) list.splice(0, list.length - this.capacity);
  }

  get(symbol: string, timeframe: string): readonly Bar[] {
    return this.bars.get(`${symbol}|${timeframe}`) ?? [];
  }

  timeframes(symbol: string): string[] {
    return [...this.bars.keys()].filter((k) => k.startsWith(`${symbol}|`)).map((k) => k.split('|')[1] ?? '');
  }
}
