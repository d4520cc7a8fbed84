import type { ComponentHealth } from '../api/EngineStatus.js';
import { toFixed } from '../core/Fixed.js';
import { timeframeToMs } from '../core/time.js';
import type { ExecutionReportSink } from '../execution/ExecutionClient.js';
import { MarketTimeClock } from '../kernel/MarketTimeClock.js';
import type { Bar, Trade } from '../model/Bar.js';
import type { Order } from '../model/Order.js';
import type { TradingNode } from '../node/TradingNode.js';
import { DEFAULT_FILL_MODEL, SimulatedVenue } from '../sim/SimulatedVenue.js';
import type { SqliteDatabase } from '../storage/sqlite/openDatabase.js';
import { SimVenueStore } from '../storage/sqlite/SimVenueStore.js';
import type { RuntimeVenue } from './RuntimeVenue.js';

/**
 * Shadow mode's venue: the backtest's SimulatedVenue, matching on live closed bars or
 * trades (whichever the market data source gives) in market time. With the engine's
 * database it keeps across a restart what the order journal does not say (trailing stops'
 * best prices) and reads there what closed before (a bracket's entry and closed legs).
 */
export class ShadowVenue implements RuntimeVenue {
  private readonly marketTime = new MarketTimeClock();
  readonly client: SimulatedVenue;
  private readonly store: SimVenueStore | undefined;

  constructor(
    node: TradingNode,
    commission: number,
    private readonly matchOn: 'bars' | 'trades',
    db?: SqliteDatabase,
  ) {
    const store = db === undefined ? undefined : new SimVenueStore(db);
    this.store = store;
    this.client = new SimulatedVenue({
      clock: this.marketTime,
      instrument: (s) => node.instrument(s),
      funds: node.portfolio,
      config: { ...DEFAULT_FILL_MODEL, commission: toFixed(commission) },
      // After a restart, bracket children find their closed entry in the journal.
      lookup: (id) => node.oms.lookup(id),
      ...(store === undefined
        ? {}
        : {
            // ...and a restored leg counts what its closed sibling legs filled.
            childrenOf: (parentId: string) => store.childIds(parentId),
            trailingMarks: {
              load: (id: string) => store.trailingMark(id),
              save: (id: string, watermark: number) => store.saveTrailingMark(id, watermark),
              forget: (id: string) => store.forgetTrailingMark(id),
            },
          }),
    });
  }

  connect(sink: ExecutionReportSink): void {
    this.client.setSink(sink);
  }

  adopt(order: Order): void {
    this.client.adopt(order);
  }

  onClosedBar(bar: Bar): void {
    if (this.matchOn !== 'bars') return;
    this.marketTime.observe(bar.ts + timeframeToMs(bar.timeframe));
    this.client.processBar(bar);
  }

  onTrade(trade: Trade): void {
    if (this.matchOn !== 'trades') return;
    this.marketTime.observe(trade.ts);
    this.client.processTrade(trade);
  }

  prepare(): Promise<void> {
    // The book is restored: marks of trailing stops that ended meanwhile are of no use.
    this.store?.retainTrailingMarks(new Set(this.client.openOrders().map((o) => o.id)));
    return Promise.resolve();
  }

  components(): ComponentHealth[] {
    return [];
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}
