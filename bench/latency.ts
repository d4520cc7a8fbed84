import { z } from 'zod';
import { toFixed } from '../src/core/Fixed.js';
import { TestClock } from '../src/kernel/Clock.js';
import { ORDER_EVENTS } from '../src/kernel/topics.js';
import type { Bar } from '../src/model/Bar.js';
import { makeInstrument } from '../src/model/Instrument.js';
import { TradingNode } from '../src/node/TradingNode.js';
import { parseSizing } from '../src/portfolio/Sizer.js';
import { DEFAULT_FILL_MODEL, SimulatedVenue } from '../src/sim/SimulatedVenue.js';
import { Strategy } from '../src/strategy/Strategy.js';

/** Buys on even bars and sells on odd ones: an order per market event, the worst case for latency. */
class EveryBar extends Strategy<Record<string, never>> {
  static readonly id = 'every-bar';
  static readonly description = 'bench';
  static readonly paramsSchema = z.object({});
  private n = 0;
  override onBar(bar: Bar): void {
    this.n++;
    if (this.n % 2 === 1) this.ctx.buy(bar.symbol, '0.001');
    else this.ctx.sell(bar.symbol, '0.001');
  }
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

/**
 * Shadow-mode tick-to-order latency: a market event enters the engine (venue matching,
 * data engine, bus, strategy, risk, OMS, journal hook) until the simulated venue accepts the
 * order it caused — the same wiring as the shadow runtime. Measured per event with
 * hrtime, beside a bare function call timed the same way (the timer's own floor).
 */
export function benchLatency(events: number): void {
  const clock = new TestClock(0);
  const node = new TradingNode({
    clock,
    instruments: [makeInstrument({ symbol: 'BTC/USDT', tickSize: '0.01', lotSize: '0.001' })],
    currency: 'USDT',
    initialCash: { USDT: 1_000_000 },
    sizing: parseSizing('fixed:0.001', toFixed('0.001')),
    journal: () => {},
  });
  const venue = new SimulatedVenue({
    clock,
    instrument: (s) => node.instrument(s),
    funds: node.portfolio,
    config: DEFAULT_FILL_MODEL,
  });
  venue.setSink(node.connect(venue));
  node.registerFeed('BTC/USDT', '1m');
  node.addStrategy({
    id: 'bench',
    strategyClass: EveryBar,
    params: {},
    symbols: ['BTC/USDT'],
    timeframe: '1m',
  });
  node.start();
  let acceptedAt = 0n;
  node.bus.subscribe(ORDER_EVENTS, (e) => {
    if (e.type === 'OrderAccepted') acceptedAt = process.hrtime.bigint();
  });
  const warm = Math.min(5_000, events);
  const lat = new Float64Array(events);
  const bare = new Float64Array(events);
  let sink = 0;
  const bareCall = (b: Bar): void => {
    sink += b.close;
  };
  for (let i = 0; i < events + warm; i++) {
    const px = 30_000 + (i % 100);
    const bar: Bar = {
      symbol: 'BTC/USDT',
      timeframe: '1m',
      ts: i * 60_000,
      open: px,
      high: px + 1,
      low: px - 1,
      close: px,
      volume: 10,
      closed: true,
    };
    clock.advanceTo(bar.ts + 60_000);
    const t0 = process.hrtime.bigint();
    venue.processBar(bar);
    node.onBar(bar);
    const t1 = process.hrtime.bigint();
    bareCall(bar);
    const t2 = process.hrtime.bigint();
    if (i >= warm) {
      lat[i - warm] = Number(acceptedAt - t0) / 1000;
      bare[i - warm] = Number(t2 - t1) / 1000;
    }
  }
  lat.sort();
  bare.sort();
  const fmt = (x: number) => `${x.toFixed(2)} µs`.padStart(10);
  console.log(
    `\n## shadow tick-to-order latency, ${events.toLocaleString('en-US')} events (each causes an order)`,
  );
  console.log(
    `market event → order accepted  p50 ${fmt(percentile(lat, 0.5))}  p99 ${fmt(percentile(lat, 0.99))}  max ${fmt(lat[lat.length - 1] as number)}`,
  );
  console.log(
    `bare function call (baseline)  p50 ${fmt(percentile(bare, 0.5))}  p99 ${fmt(percentile(bare, 0.99))}   (${sink > 0 ? 'ok' : ''})`,
  );
  console.log(
    `ratio p99 / baseline p99       ${(percentile(lat, 0.99) / Math.max(percentile(bare, 0.99), 0.001)).toFixed(1)}×`,
  );
}
