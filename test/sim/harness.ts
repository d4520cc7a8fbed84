import type { Fixed, Numeric } from '../../src/core/Fixed.js';
import { ZERO, add, mul, sub, toFixed } from '../../src/core/Fixed.js';
import type { FundsView } from '../../src/execution/ExecutionClient.js';
import { TestClock } from '../../src/kernel/Clock.js';
import type { Bar } from '../../src/model/Bar.js';
import type { OrderSide, OrderType, TimeInForce } from '../../src/model/enums.js';
import type { OrderEvent, OrderFilled } from '../../src/model/events.js';
import type { Instrument, InstrumentSpec } from '../../src/model/Instrument.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { Order } from '../../src/model/Order.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';
import { Portfolio } from '../../src/portfolio/Portfolio.js';
import type { FillModelConfig, TrailingMarks } from '../../src/sim/SimulatedVenue.js';
import { DEFAULT_FILL_MODEL, SimulatedVenue } from '../../src/sim/SimulatedVenue.js';

/** One-minute bars: bar k opens at k × MIN and is processed when the clock reaches (k + 1) × MIN. */
export const MIN = 60_000;

/** A small account: cash per currency and signed positions, booked from the fills it sees. */
export class FakeFunds implements FundsView {
  readonly cash = new Map<string, Fixed>();
  readonly positions = new Map<string, Fixed>();

  available(currency: string): Fixed {
    return this.cash.get(currency) ?? ZERO;
  }
  positionQty(symbol: string): Fixed {
    return this.positions.get(symbol) ?? ZERO;
  }
  setCash(currency: string, amount: Numeric): void {
    this.cash.set(currency, toFixed(amount));
  }
  setPosition(symbol: string, qty: Numeric): void {
    this.positions.set(symbol, toFixed(qty));
  }
  /** Spot moves the notional between cash and coins; a perpetual only moves the position here. */
  book(inst: Instrument, f: OrderFilled): void {
    const notional = mul(f.lastQty, f.lastPx);
    const buy = f.side === 'BUY';
    // A fee in the base coin (Instrument.feeSide) comes out of the coins, not the cash.
    const feeInBase = inst.kind === 'SPOT' && f.feeCurrency === inst.base;
    if (inst.kind === 'SPOT') {
      const cash = this.available(inst.settle);
      const moved = buy ? sub(cash, notional) : add(cash, notional);
      this.cash.set(inst.settle, feeInBase ? moved : sub(moved, f.fee));
    }
    const pos = this.positionQty(inst.symbol);
    const traded = buy ? add(pos, f.lastQty) : sub(pos, f.lastQty);
    this.positions.set(inst.symbol, feeInBase ? sub(traded, f.fee) : traded);
  }
}

/** A compact order description for tests. */
export interface OrderSpec {
  side: OrderSide;
  qty: Numeric;
  type?: OrderType;
  price?: Numeric;
  trigger?: Numeric;
  trailingPct?: Numeric;
  tif?: TimeInForce;
  postOnly?: boolean;
  reduceOnly?: boolean;
  oco?: string;
  parent?: Order;
  symbol?: string;
}

export interface HarnessOptions {
  config?: Partial<FillModelConfig>;
  instrument?: Partial<InstrumentSpec>;
  cash?: Numeric;
  position?: Numeric;
  seed?: number;
  /** Book fills into a real Portfolio (its exact Ledger) instead of FakeFunds, and let the venue read it. */
  portfolio?: boolean;
  /** The venue's order lookup (the journal of a run before a restart). */
  lookup?: (orderId: string) => Order | undefined;
  /** The journal's bracket children of an entry (with `lookup`). */
  childrenOf?: (parentId: string) => readonly string[];
  /** Where trailing stops' best prices are kept across a restart. */
  trailingMarks?: TrailingMarks;
}

/**
 * A venue wired to a tiny OMS stand-in: the sink applies every report to its Order at once
 * (as the real OMS does) and books fills into FakeFunds, so the venue sees live balances.
 */
export function harness(opts: HarnessOptions = {}) {
  const clock = new TestClock(0);
  const inst = makeInstrument({
    symbol: 'BTC/USDT',
    tickSize: '0.01',
    lotSize: '0.001',
    makerFee: '0.001',
    takerFee: '0.002',
    ...opts.instrument,
  });
  const funds = new FakeFunds();
  funds.setCash(inst.settle, opts.cash ?? 1_000_000);
  funds.setPosition(inst.symbol, opts.position ?? 0);
  const portfolio = opts.portfolio
    ? new Portfolio(inst.settle, { [inst.settle]: opts.cash ?? 1_000_000 }, () => inst)
    : undefined;
  if (portfolio !== undefined && opts.position !== undefined && toFixed(opts.position) !== ZERO)
    portfolio.ledger.restorePositions([
      { symbol: inst.symbol, qty: toFixed(opts.position), costBasis: ZERO, realizedPnl: ZERO },
    ]);
  const venue = new SimulatedVenue({
    clock,
    instrument: (s) => {
      if (s !== inst.symbol) throw new Error(`unknown symbol ${s}`);
      return inst;
    },
    funds: portfolio ?? funds,
    config: { ...DEFAULT_FILL_MODEL, ...opts.config },
    ...(opts.seed === undefined ? {} : { seed: opts.seed }),
    ...(opts.lookup === undefined ? {} : { lookup: opts.lookup }),
    ...(opts.childrenOf === undefined ? {} : { childrenOf: opts.childrenOf }),
    ...(opts.trailingMarks === undefined ? {} : { trailingMarks: opts.trailingMarks }),
  });
  const events: OrderEvent[] = [];
  const orders = new Map<string, Order>();
  /** Called with each report before it is applied (to check it against the order's state). */
  const listeners: ((e: OrderEvent, order: Order) => void)[] = [];
  /** Called after a report is applied and booked, like a strategy's onOrder* handler. */
  const reactions: ((e: OrderEvent, order: Order) => void)[] = [];
  let eventSeq = 0;
  venue.setSink((input) => {
    const order = orders.get(input.orderId);
    if (order === undefined) throw new Error(`report for unknown order ${input.orderId}`);
    const event = { ...input, eventId: String(++eventSeq) } as OrderEvent;
    for (const l of listeners) l(event, order);
    order.apply(event);
    events.push(event);
    if (event.type === 'OrderFilled') {
      if (portfolio === undefined) funds.book(inst, event);
      else portfolio.applyFill(event);
    }
    for (const r of reactions) r(event, order);
  });

  let orderSeq = 0;
  let barIndex = 0;

  function request(spec: OrderSpec): OrderRequest {
    return {
      symbol: spec.symbol ?? inst.symbol,
      side: spec.side,
      type: spec.type ?? 'MARKET',
      quantity: toFixed(spec.qty),
      price: spec.price === undefined ? undefined : toFixed(spec.price),
      triggerPrice: spec.trigger === undefined ? undefined : toFixed(spec.trigger),
      trailingPct: spec.trailingPct === undefined ? undefined : toFixed(spec.trailingPct),
      timeInForce: spec.tif ?? 'GTC',
      postOnly: spec.postOnly ?? false,
      reduceOnly: spec.reduceOnly ?? false,
      ocoGroup: spec.oco,
      parentId: spec.parent?.id,
    };
  }

  /** Creates, initializes, marks submitted and sends an order; returns it. */
  function submit(spec: OrderSpec): Order {
    const id = `O${++orderSeq}`;
    const req = request(spec);
    const order = new Order(id, 'S1', req, clock.now());
    order.apply({
      type: 'OrderInitialized',
      request: req,
      eventId: `i${id}`,
      orderId: id,
      strategyId: 'S1',
      symbol: req.symbol,
      ts: clock.now(),
    });
    order.apply({
      type: 'OrderSubmitted',
      eventId: `s${id}`,
      orderId: id,
      strategyId: 'S1',
      symbol: req.symbol,
      ts: clock.now(),
    });
    orders.set(id, order);
    venue.submit(order);
    return order;
  }

  /** Feeds the next one-minute bar (clock at its close, as a backtest does) and returns it. */
  function bar(open: number, high: number, low: number, close: number, volume = 1_000): Bar {
    const b: Bar = {
      symbol: inst.symbol,
      timeframe: '1m',
      ts: barIndex * MIN,
      open,
      high,
      low,
      close,
      volume,
      closed: true,
    };
    barIndex++;
    clock.advanceTo(b.ts + MIN);
    venue.processBar(b);
    return b;
  }

  function fills(order?: Order): OrderFilled[] {
    return events.filter(
      (e): e is OrderFilled => e.type === 'OrderFilled' && (order === undefined || e.orderId === order.id),
    );
  }

  function types(order: Order): string[] {
    return events.filter((e) => e.orderId === order.id).map((e) => e.type);
  }

  return {
    clock,
    inst,
    funds,
    portfolio,
    venue,
    events,
    orders,
    listeners,
    reactions,
    submit,
    bar,
    fills,
    types,
  };
}

/** Fixed from a decimal literal, for readable expectations. */
export function fx(x: Numeric): Fixed {
  return toFixed(x);
}
