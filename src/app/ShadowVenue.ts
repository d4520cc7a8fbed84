import type { ComponentHealth } from '../api/EngineStatus.js';
import { toFixed } from '../core/Fixed.js';
import { timeframeToMs } from '../core/time.js';
import type { ExecutionReportSink } from '../execution/ExecutionClient.js';
import { MarketTimeClock } from '../kernel/MarketTimeClock.js';
import type { ReplayClock } from '../kernel/ReplayClock.js';
import type { Bar, Trade } from '../model/Bar.js';
import type { Order } from '../model/Order.js';
import type { TradingNode } from '../node/TradingNode.js';
import { DEFAULT_FILL_MODEL, SimulatedVenue } from '../sim/SimulatedVenue.js';
import type { SqliteDatabase } from '../storage/sqlite/openDatabase.js';
import { SimVenueStore } from '../storage/sqlite/SimVenueStore.js';
import type { RuntimeVenue } from './RuntimeVenue.js';
import type { ShadowPerpetuals } from './ShadowPerpetuals.js';

/**
 * Shadow mode's venue: the backtest's SimulatedVenue, matching on live closed bars or
 * trades (whichever the market data source gives) in market time. With the engine's
 * database it keeps across a restart what the order journal does not say (trailing stops'
 * best prices) and reads there what closed before (a bracket's entry and closed legs).
 * Perpetuals (with `perpetuals`): the venue margins orders and fills on the node's margin
 * account and runs the backtest's clearing — mark, the exchange's settled funding,
 * liquidation — whose events are booked through the node like fills.
 */
export class ShadowVenue implements RuntimeVenue {
  readonly client: SimulatedVenue;
  private readonly store: SimVenueStore | undefined;

  constructor(
    node: TradingNode,
    commission: number,
    private readonly matchOn: 'bars' | 'trades',
    db?: SqliteDatabase,
    /** Perpetuals: margin settings, clearing histories and funding (none when only spot is traded). */
    readonly perpetuals?: ShadowPerpetuals,
    /**
     * Replayed history: the bar-time clock the strategies' timers run on, so a timer due within
     * a bar fires (and its order arrives) before the venue matches that bar, as in a backtest.
     */
    private readonly marketTime: MarketTimeClock | ReplayClock = new MarketTimeClock(),
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
      ...perpetuals?.venueOptions(),
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
    if (perpetuals !== undefined) this.client.clearing?.setSink((e) => perpetuals.onClearing(e));
  }

  connect(sink: ExecutionReportSink): void {
    this.client.setSink(sink);
  }

  adopt(order: Order): void {
    this.client.adopt(order);
  }

  onClosedBar(bar: Bar): void {
    if (this.matchOn !== 'bars') return;
    const end = bar.ts + timeframeToMs(bar.timeframe);
    this.marketTime.observe(end);
    this.perpetuals?.observe(bar.symbol, end);
    this.client.processBar(bar);
  }

  onTrade(trade: Trade): void {
    if (this.matchOn !== 'trades') return;
    this.marketTime.observe(trade.ts);
    this.perpetuals?.observe(trade.symbol, trade.ts);
    this.client.processTrade(trade);
  }

  async prepare(): Promise<void> {
    // The book is restored: marks of trailing stops that ended meanwhile are of no use.
    this.store?.retainTrailingMarks(new Set(this.client.openOrders().map((o) => o.id)));
    // Funding settled while the engine was down is charged before any strategy runs.
    await this.perpetuals?.prepare();
  }

  components(): ComponentHealth[] {
    return this.perpetuals?.components() ?? [];
  }

  stop(): Promise<void> {
    this.perpetuals?.stop();
    return Promise.resolve();
  }
}
