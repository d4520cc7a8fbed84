/**
 * Every order event is frozen from the moment the OMS stamps its id, before the order, the
 * journal, the report's fill tape or any strategy holds it. The fill a strategy is handed in
 * onFill is the very object the ledger booked and the report's fill records and trade log are
 * written from: a strategy written in JavaScript (where `readonly` is not checked) that wrote
 * to it would have rewritten the run's record. In strict code (ES modules, test files too) the
 * write now throws a TypeError and the run's record is what the venue reported. The same holds
 * for the funding and liquidation events handed to onFunding/onLiquidation, the events of an
 * order rebuilt from the journal, and those of an order refused during warm-up.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import { toFixed } from '../../src/core/Fixed.js';
import { IdGenerator } from '../../src/core/ids.js';
import { ExecutionEngine } from '../../src/execution/ExecutionEngine.js';
import { TestClock } from '../../src/kernel/Clock.js';
import { MessageBus } from '../../src/kernel/MessageBus.js';
import type { Bar } from '../../src/model/Bar.js';
import { allocBarSeries, seriesOfBars } from '../../src/model/BarSeries.js';
import type { OrderEvent, OrderFilled } from '../../src/model/events.js';
import type { FundingSettled, PositionLiquidated } from '../../src/model/futuresEvents.js';
import { Order } from '../../src/model/Order.js';
import type { OrderView } from '../../src/model/OrderView.js';
import { parseSizing } from '../../src/portfolio/Sizer.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import { minuteBar, simNode } from '../node/support/simNode.js';

const SYM = 'FZ/USDT';
const MIN = 60_000;
const bar = (i: number, o: number, h: number, l: number, c: number): Bar => ({
  symbol: SYM,
  timeframe: '1m',
  ts: i * MIN,
  open: o,
  high: h,
  low: l,
  close: c,
  volume: 4,
  closed: true,
});

/**
 * Tries `write` on a value a strategy was handed, as a JavaScript strategy could: counts the
 * writes refused with a TypeError (a frozen object in strict code) and those that went through.
 */
const tally = { refused: 0, done: 0, other: [] as unknown[] };
function attempt(write: () => void): void {
  try {
    write();
    tally.done += 1;
  } catch (e) {
    if (e instanceof TypeError) tally.refused += 1;
    else tally.other.push(e);
  }
}
type Loose = Record<string, unknown>;
const loose = (o: object): Loose => o as Loose;

const PARAMS = z.object({ mutate: z.boolean().default(false) });

/**
 * Bar 1: a market buy of 1, a limit buy of 10 at 95 (fills in part: a quarter of a bar's
 * volume) and a limit buy of 1 at 50; bar 2: the limit at 50 is amended to 60; bar 4: what
 * is open is canceled; bar 5: the position is closed. With `mutate`, every event it is
 * handed (and the history and terms of its order) is written to, the way a buggy
 * JavaScript strategy would.
 */
class Scribbler extends Strategy<z.infer<typeof PARAMS>> {
  static readonly id = 'scribbler';
  static readonly description = 'test strategy: writes to the events it is handed';
  static readonly paramsSchema = PARAMS;
  static handed: OrderEvent[] = [];
  private bars = 0;
  private low: OrderView | undefined;
  override onBar(): void {
    this.bars += 1;
    if (this.bars === 1) {
      this.ctx.buy(SYM, 1);
      this.ctx.buy(SYM, 10, { type: 'LIMIT', price: 95 });
      this.low = this.ctx.buy(SYM, 1, { type: 'LIMIT', price: 50 });
    } else if (this.bars === 2 && this.low !== undefined) {
      this.ctx.amend?.(this.low.id, { price: 60 });
    } else if (this.bars === 4) {
      this.ctx.cancelAll(SYM);
    } else if (this.bars === 5) {
      this.ctx.closePosition(SYM);
    }
  }
  override onOrderUpdate(order: OrderView, event: OrderEvent): void {
    Scribbler.handed.push(event);
    if (!this.params.mutate) return;
    const e = loose(event);
    attempt(() => {
      e['ts'] = 0;
    });
    attempt(() => {
      e['eventId'] = 'E-forged';
    });
    attempt(() => {
      e['note'] = 'added';
    });
    if (event.type === 'OrderInitialized')
      attempt(() => {
        loose(event.request)['quantity'] = toFixed(1000);
      });
    // The order's history: a frozen list (ReadOnlyOrder), of the engine's own event objects.
    const first = order.events[0];
    if (first !== undefined)
      attempt(() => {
        loose(first)['strategyId'] = 'someone-else';
      });
  }
  override onFill(fill: OrderFilled, _order: OrderView): void {
    if (!this.params.mutate) return;
    const f = loose(fill);
    attempt(() => {
      f['lastQty'] = fill.lastQty * 2n;
    });
    attempt(() => {
      f['lastPx'] = toFixed(1);
    });
    attempt(() => {
      f['fee'] = 0n;
    });
    attempt(() => {
      f['side'] = fill.side === 'BUY' ? 'SELL' : 'BUY';
    });
    attempt(() => {
      delete f['tradeId'];
    });
    attempt(() => {
      f['type'] = 'OrderCanceled';
    });
  }
}

const series = seriesOfBars(SYM, '1m', [
  bar(0, 100, 100, 100, 100),
  bar(1, 100, 100, 94, 96),
  bar(2, 96, 97, 94, 95),
  bar(3, 95, 99, 94, 98),
  bar(4, 98, 102, 97, 101),
  bar(5, 101, 103, 100, 102),
  bar(6, 102, 102, 102, 102),
]);

function run(mutate: boolean) {
  Scribbler.handed = [];
  const r = runBacktest({
    series: [series],
    strategy: Scribbler,
    params: { mutate },
    initialCash: 10_000,
    commission: 0.001,
    fill: { fillAt: 'close', volumeShare: 0.25 },
    sizing: parseSizing('fixed:1', toFixed('0.0001')),
    seed: 1,
  });
  return { ...r, handed: Scribbler.handed };
}

describe('order events are frozen once the OMS records them', () => {
  it('a strategy’s writes to its events throw, and the run’s record is that of a strategy that never wrote', () => {
    const clean = run(false);
    tally.refused = 0;
    tally.done = 0;
    tally.other = [];
    const scribbled = run(true);

    // The run exercised the paths: fills (one partial), an amend, cancels.
    const types = new Set(clean.handed.map((e) => e.type));
    for (const t of [
      'OrderInitialized',
      'OrderFilled',
      'OrderAmended',
      'OrderCancelRequested',
      'OrderCanceled',
    ])
      expect(types).toContain(t);
    expect(clean.fills.length).toBeGreaterThanOrEqual(3);

    // The record is the venue's: fills, trade log, report and ledger as without the writes.
    expect(scribbled.fills).toEqual(clean.fills);
    expect(scribbled.tradeLog).toBe(clean.tradeLog);
    expect(scribbled.report.tradeLogSha256).toBe(clean.report.tradeLogSha256);
    expect({ ...scribbled.report, params: {} }).toEqual({ ...clean.report, params: {} });
    expect(scribbled.node.portfolio.equityExact()).toBe(clean.node.portfolio.equityExact());
    expect(scribbled.handed.map((e) => [e.eventId, e.type, e.ts, e.strategyId])).toEqual(
      clean.handed.map((e) => [e.eventId, e.type, e.ts, e.strategyId]),
    );

    // Every write was refused with a TypeError (strict code); none went through.
    expect(tally.other).toEqual([]);
    expect(tally.done).toBe(0);
    expect(tally.refused).toBeGreaterThan(50);
    for (const e of scribbled.handed) {
      expect(Object.isFrozen(e)).toBe(true);
      if (e.type === 'OrderInitialized') expect(Object.isFrozen(e.request)).toBe(true);
    }
  });
});

/** Shorts 1 000 at 50x on its first bar; writes to the funding and liquidation events it hears. */
class ClearingScribbler extends Strategy<Record<string, never>> {
  static readonly id = 'clearing-scribbler';
  static readonly description = 'test strategy: writes to funding and liquidation events';
  static readonly paramsSchema = z.object({});
  static heard: (FundingSettled | PositionLiquidated)[] = [];
  private done = false;
  override onBar(b: Bar): void {
    if (this.done) return;
    this.done = true;
    this.ctx.sell(b.symbol, 1000);
  }
  override onFunding(e: FundingSettled): void {
    ClearingScribbler.heard.push(e);
    attempt(() => {
      loose(e)['amount'] = toFixed(1_000_000);
    });
  }
  override onLiquidation(e: PositionLiquidated): void {
    ClearingScribbler.heard.push(e);
    attempt(() => {
      loose(e)['realizedPnl'] = 0n;
    });
    attempt(() => {
      loose(e)['symbol'] = 'OTHER/USDT:USDT';
    });
  }
}

describe('funding and liquidation events handed to strategies are frozen', () => {
  it('onFunding and onLiquidation writes throw; what the run recorded stays', () => {
    const PERP = 'FZ/USDT:USDT';
    // Bar 0 sells at 1; a funding inside bar 1 (the short receives); bar 2 opens at 1.1,
    // beyond a 50x short's bankruptcy price: liquidated.
    const s = allocBarSeries(PERP, '1m', 3);
    const px = [1, 1, 1.1];
    for (let i = 0; i < 3; i++) {
      s.ts[i] = i * MIN;
      s.open[i] = px[i] as number;
      s.high[i] = px[i] as number;
      s.low[i] = px[i] as number;
      s.close[i] = px[i] as number;
      s.volume[i] = 1e9;
    }
    tally.refused = 0;
    tally.done = 0;
    tally.other = [];
    ClearingScribbler.heard = [];
    const r = runBacktest({
      series: [s],
      strategy: ClearingScribbler,
      params: {},
      initialCash: 100,
      commission: 0.001,
      fill: { fillAt: 'close' },
      sizing: { kind: 'all-in', step: toFixed(1) },
      futures: {
        leverage: 50,
        marginMode: 'ISOLATED',
        funding: [{ symbol: PERP, ts: [MIN + MIN / 2], rate: [toFixed('0.001')] }],
      },
    });
    const heard = ClearingScribbler.heard;
    expect(heard.map((e) => e.type)).toEqual(['FundingSettled', 'PositionLiquidated']);
    for (const e of heard) expect(Object.isFrozen(e)).toBe(true);
    expect(tally).toEqual({ refused: 3, done: 0, other: [] });
    const funding = heard[0] as FundingSettled;
    const liquidation = heard[1] as PositionLiquidated;
    // A short receives a positive rate: 1 000 × 1 × 0.001.
    expect(funding.amount).toBe(toFixed(1));
    expect(liquidation.symbol).toBe(PERP);
    expect(liquidation.realizedPnl).toBe(toFixed(-100));
    expect(r.report.futures).toMatchObject({ fundingNet: '1', liquidations: 1 });
  });
});

describe('events the OMS did not record in this process are frozen too', () => {
  it('an order taken back from the journal (restart) and one looked up in it', () => {
    const clock = new TestClock(0);
    const journaled = new Order(
      'J-1',
      's',
      {
        symbol: SYM,
        side: 'BUY',
        type: 'LIMIT',
        quantity: toFixed(1),
        price: toFixed(90),
        timeInForce: 'GTC',
        postOnly: false,
        reduceOnly: false,
      },
      0,
    );
    const about = { orderId: 'J-1', strategyId: 's', symbol: SYM, ts: 0 };
    journaled.apply({ type: 'OrderInitialized', request: journaled.request, ...about, eventId: 'E-1' });
    journaled.apply({ type: 'OrderSubmitted', ...about, eventId: 'E-2' });
    journaled.apply({ type: 'OrderAccepted', venueOrderId: 'V-1', ...about, eventId: 'E-3' });
    const stored = new Order('J-2', 's', journaled.request, 0);
    stored.apply({
      type: 'OrderInitialized',
      request: journaled.request,
      ...about,
      orderId: 'J-2',
      eventId: 'E-4',
    });
    const journal = Object.assign(() => {}, { load: (id: string) => (id === 'J-2' ? stored : undefined) });
    const oms = new ExecutionEngine(new MessageBus(), clock, new IdGenerator('O'), journal);

    expect(Object.isFrozen(journaled.events[0])).toBe(false);
    oms.adopt(journaled);
    for (const e of journaled.events) expect(Object.isFrozen(e)).toBe(true);
    expect(Object.isFrozen(journaled.request)).toBe(true);

    expect(oms.lookup('J-2')).toBe(stored);
    for (const e of stored.events) expect(Object.isFrozen(e)).toBe(true);
  });

  it('the events of an order refused while its strategy warms up', () => {
    class WarmBuyer extends Strategy<Record<string, never>> {
      static readonly id = 'warm-buyer';
      static readonly description = 'test strategy: buys on every bar';
      static readonly paramsSchema = z.object({});
      static orders: OrderView[] = [];
      override onBar(): void {
        WarmBuyer.orders.push(this.ctx.buy('BTC/USDT', 1));
      }
    }
    const { node, clock } = simNode();
    node.registerFeed('BTC/USDT', '1m');
    node.addStrategy({
      id: 'warm-buyer',
      strategyClass: WarmBuyer,
      params: {},
      symbols: ['BTC/USDT'],
      timeframe: '1m',
    });
    node.beginWarmUp();
    node.start();
    clock.advanceTo(2 * MIN);
    node.warmUpBar(minuteBar(0, 100, 101, 99, 100));
    const refused = WarmBuyer.orders[0];
    expect(refused?.reasonCode).toBe('ERR_WARMING_UP');
    const events = refused?.events ?? [];
    expect(events.map((e) => e.type)).toEqual(['OrderInitialized', 'OrderDenied']);
    for (const e of events) expect(Object.isFrozen(e)).toBe(true);
    const init = events[0];
    expect(init?.type === 'OrderInitialized' && Object.isFrozen(init.request)).toBe(true);
  });
});
