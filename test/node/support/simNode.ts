/**
 * A real TradingNode on a SimulatedVenue and a test clock, with one instrument priced in USDT
 * (tick 0.01, lot 0.0001, 0.1 % fees) and 10 000 USDT — the engine most node, execution and
 * metrics tests drive bar by bar.
 */
import { toFixed } from '../../../src/core/Fixed.js';
import type { ExecutionClient } from '../../../src/execution/ExecutionClient.js';
import { TestClock } from '../../../src/kernel/Clock.js';
import type { Bar } from '../../../src/model/Bar.js';
import type { FeeSide } from '../../../src/model/Instrument.js';
import { makeInstrument } from '../../../src/model/Instrument.js';
import { TradingNode } from '../../../src/node/TradingNode.js';
import type { TradingNodeOptions } from '../../../src/node/TradingNode.js';
import { parseSizing } from '../../../src/portfolio/Sizer.js';
import { DEFAULT_FILL_MODEL, SimulatedVenue } from '../../../src/sim/SimulatedVenue.js';

const MIN = 60_000;

export interface SimNodeOptions extends Partial<Omit<TradingNodeOptions, 'clock' | 'instruments'>> {
  readonly symbol?: string;
  readonly fillAt?: 'close' | 'next-open';
  /** In which currency a fill pays its fee (default 'quote'). */
  readonly feeSide?: FeeSide;
  /** What the node sends orders through; the venue itself unless given (e.g. a wrapper that fails). */
  readonly client?: (venue: SimulatedVenue) => ExecutionClient;
}

export interface SimNode {
  readonly clock: TestClock;
  readonly node: TradingNode;
  readonly venue: SimulatedVenue;
  /** A closed 1m bar: the clock moves to its close, the venue matches, then the node hears it. */
  readonly feed: (b: Bar) => void;
}

export function simNode(opts: SimNodeOptions = {}): SimNode {
  const { symbol = 'BTC/USDT', fillAt = 'close', feeSide = 'quote', client, ...nodeOpts } = opts;
  const clock = new TestClock(0);
  const node = new TradingNode({
    clock,
    instruments: [
      makeInstrument({
        symbol,
        tickSize: '0.01',
        lotSize: '0.0001',
        takerFee: '0.001',
        makerFee: '0.001',
        feeSide,
      }),
    ],
    currency: 'USDT',
    initialCash: { USDT: 10_000 },
    sizing: parseSizing('percent:50', toFixed('0.0001')),
    ...nodeOpts,
  });
  const venue = new SimulatedVenue({
    clock,
    instrument: (s) => node.instrument(s),
    funds: node.portfolio,
    config: { ...DEFAULT_FILL_MODEL, fillAt },
  });
  venue.setSink(node.connect(client?.(venue) ?? venue));
  const feed = (b: Bar): void => {
    clock.advanceTo(b.ts + MIN);
    venue.processBar(b);
    node.onBar(b);
  };
  return { clock, node, venue, feed };
}

/** A closed 1m bar, number `i` from time 0, with a volume of 1 000. */
export function minuteBar(i: number, o: number, h: number, l: number, c: number, symbol = 'BTC/USDT'): Bar {
  return {
    symbol,
    timeframe: '1m',
    ts: i * MIN,
    open: o,
    high: h,
    low: l,
    close: c,
    volume: 1_000,
    closed: true,
  };
}
