import { describe, expect, it } from 'vitest';
import { formatFixed } from '../../src/core/Fixed.js';
import { TestClock } from '../../src/kernel/Clock.js';
import type { Bar } from '../../src/model/Bar.js';
import type { OrderCanceled, OrderRejected } from '../../src/model/events.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { FillModel } from '../../src/sim/FillModel.js';
import { DEFAULT_FILL_MODEL, SimulatedVenue } from '../../src/sim/SimulatedVenue.js';
import { FakeFunds, MIN, fx, harness } from './harness.js';

const px = (x: bigint | undefined): string => formatFixed((x ?? -1n) as never);

describe('FillModel', () => {
  const inst = makeInstrument({ symbol: 'BTC/USDT', tickSize: '0.1', makerFee: '0.001', takerFee: '0.002' });

  it('slips bps against the taker and rounds to the tick against him', () => {
    const m = new FillModel({ ...DEFAULT_FILL_MODEL, slippage: { kind: 'bps', bps: 7 } });
    expect(px(m.slip(fx(100), 'BUY', inst.tickSize))).toBe('100.1'); // 100.07 → up
    expect(px(m.slip(fx(100), 'SELL', inst.tickSize))).toBe('99.9'); // 99.93 → down
  });

  it('spread slippage costs half the spread', () => {
    const m = new FillModel({ ...DEFAULT_FILL_MODEL, slippage: { kind: 'spread', spreadBps: 10 } });
    expect(px(m.slip(fx(100), 'BUY', fx('0.01')))).toBe('100.05');
    expect(px(m.slip(fx(100), 'SELL', fx('0.01')))).toBe('99.95');
  });

  it('no slippage leaves the price untouched', () => {
    const m = new FillModel(DEFAULT_FILL_MODEL);
    expect(px(m.slip(fx('100.03'), 'BUY', inst.tickSize))).toBe('100.03');
  });

  it('fees use maker/taker rates unless a commission overrides them', () => {
    const m = new FillModel(DEFAULT_FILL_MODEL);
    expect(m.fee(inst, fx(2), fx(100), 'MAKER')).toBe(fx('0.2'));
    expect(m.fee(inst, fx(2), fx(100), 'TAKER')).toBe(fx('0.4'));
    const c = new FillModel({ ...DEFAULT_FILL_MODEL, commission: fx('0.0005') });
    expect(c.fee(inst, fx(2), fx(100), 'MAKER')).toBe(fx('0.1'));
  });

  it('volume cap is the share of the bar volume floored to the lot', () => {
    const m = new FillModel({ ...DEFAULT_FILL_MODEL, volumeShare: 0.1 });
    expect(px(m.volumeCap(12.3456, fx('0.01')))).toBe('1.23');
    expect(new FillModel(DEFAULT_FILL_MODEL).volumeCap(5, fx(1))).toBeUndefined();
  });

  it('refuses nonsense configs', () => {
    expect(() => new FillModel({ ...DEFAULT_FILL_MODEL, volumeShare: 0 })).toThrow(/volumeShare/);
    expect(() => new FillModel({ ...DEFAULT_FILL_MODEL, latencyMs: -1 })).toThrow(/latency/);
  });
});

describe('SimulatedVenue: slippage on fills', () => {
  it('market and stop fills are slipped and tick-rounded; limit fills are not', () => {
    const h = harness({
      position: 1,
      instrument: { tickSize: '0.1' },
      config: { slippage: { kind: 'bps', bps: 7 } },
    });
    h.bar(100, 101, 99, 100);
    const buy = h.submit({ side: 'BUY', qty: 1 });
    const stop = h.submit({ side: 'SELL', type: 'STOP_MARKET', qty: 1, trigger: 95 });
    const limit = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 96 });
    h.bar(100, 100, 94, 95);
    expect(px(h.fills(buy)[0]?.lastPx)).toBe('100.1');
    expect(px(h.fills(stop)[0]?.lastPx)).toBe('94.9'); // 95 × (1 − 0.0007) = 94.9335 → 94.9
    expect(px(h.fills(limit)[0]?.lastPx)).toBe('96');
  });

  it('a limit that takes liquidity pays the slippage too, but never beyond its limit', () => {
    const h = harness({ position: 2, config: { slippage: { kind: 'spread', spreadBps: 20 } } });
    h.bar(100, 101, 99, 100);
    const buy = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 105 }); // crosses: a taker
    const tight = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: '100.05' });
    const sell = h.submit({ side: 'SELL', type: 'LIMIT', qty: 1, price: 95 });
    const stopLimit = h.submit({ side: 'BUY', type: 'STOP_LIMIT', qty: 1, trigger: 103, price: 104 });
    h.bar(100, 104, 99, 102);
    // Half of a 20 bps spread: the ask is 100.1 and the bid 99.9, as a market order gets them.
    expect([buy, tight, sell, stopLimit].map((o) => px(h.fills(o)[0]?.lastPx))).toEqual([
      '100.1',
      '100.05', // its limit bounds what it pays
      '99.9',
      '103.11', // triggered at 103, takes at the ask: 103 × 1.001 on the tick above
    ]);
    expect(h.fills().every((f) => f.liquidity === 'TAKER')).toBe(true);
  });

  it('a market remainder left by the volume share fills on later bars at their open, slipped', () => {
    const h = harness({ config: { volumeShare: 0.1, slippage: { kind: 'spread', spreadBps: 20 } } });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', qty: 3 });
    h.bar(100, 101, 99, 100, 10);
    h.bar(110, 111, 109, 110, 10);
    h.bar(120, 121, 119, 120, 10);
    const f = h.fills(o);
    expect(f.map((x) => [px(x.lastQty), px(x.lastPx), x.ts])).toEqual([
      ['1', '100.1', MIN],
      ['1', '110.11', 2 * MIN],
      ['1', '120.12', 3 * MIN],
    ]);
    expect(o.status).toBe('FILLED');
  });
});

describe('SimulatedVenue: volume share', () => {
  it('a resting limit fills at most volumeShare × volume per bar and rests in between', () => {
    const h = harness({ config: { volumeShare: 0.25 } });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 99 });
    h.bar(100, 101, 98, 100, 2); // 0.5
    expect(px(o.filledQty)).toBe('0.5');
    expect(o.status).toBe('PARTIALLY_FILLED');
    h.bar(100, 101, 99.5, 100, 100); // not touched
    expect(px(o.filledQty)).toBe('0.5');
    h.bar(100, 101, 98, 100, 1); // 0.25
    h.bar(100, 101, 98, 100, 1000); // the rest
    expect(h.fills(o).map((f) => px(f.lastQty))).toEqual(['0.5', '0.25', '0.25']);
    expect(o.status).toBe('FILLED');
  });
});

describe('SimulatedVenue: latency', () => {
  it('an order arriving inside a bar joins its walk where the bar then is: what came before is gone', () => {
    const h = harness({ config: { latencyMs: 45_000 } });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 96 }); // at 60s, arrives at 105s
    // Buy walk 100 → 101 → 95 → 100 over path times 0..3: its low, at 2, came before the
    // arrival at 2.25 (96.25); from there the price only rises.
    h.bar(100, 101, 95, 100);
    expect(h.fills(o)).toHaveLength(0);
    h.bar(100, 101, 95.5, 100);
    expect(px(h.fills(o)[0]?.lastPx)).toBe('96');
    expect(h.fills(o)[0]?.liquidity).toBe('MAKER');
    expect(h.fills(o)[0]?.ts).toBe(2 * MIN);
  });

  it('a limit crossing the market where it arrives inside a bar takes there, at its arrival time', () => {
    const h = harness({ config: { latencyMs: 30_000 } });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 99 }); // arrives at 90s
    h.bar(100, 101, 95, 100); // buy walk at path time 1.5: halfway from 101 down to 95
    const [f] = h.fills(o);
    expect(px(f?.lastPx)).toBe('98');
    expect(f?.liquidity).toBe('TAKER');
    expect(f?.ts).toBe(90_000);
  });

  it('a latency far shorter than the bar costs that share of the bar, not the whole bar', () => {
    const h = harness({ config: { fillAt: 'close', latencyMs: 1 } });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', qty: 1 });
    expect(h.types(o)).toEqual(['OrderAccepted']); // the close is gone by the time it arrives
    h.bar(101, 102, 100, 101); // it arrives 1 ms after this open: 101.00005 on the tick
    expect(px(h.fills(o)[0]?.lastPx)).toBe('101');
    expect(h.fills(o)[0]?.ts).toBe(MIN + 1);
  });

  it('an order arriving at or after the end of a bar waits for a later one', () => {
    const h = harness({ config: { latencyMs: MIN } });
    h.bar(100, 101, 99, 100);
    const o = h.submit({ side: 'BUY', qty: 1 }); // arrives at 120s: the next bar's end
    h.bar(101, 102, 100, 101);
    expect(h.fills(o)).toHaveLength(0);
    h.bar(102, 103, 101, 102);
    expect(px(h.fills(o)[0]?.lastPx)).toBe('102');
  });

  it('bracket children sent with a late entry work on the rest of the bar it fills in', () => {
    const h = harness({ instrument: { symbol: 'BTC/USDT:USDT' }, config: { latencyMs: 1 } });
    h.bar(100, 101, 99, 100);
    const parent = h.submit({ side: 'BUY', qty: 1 });
    const sl = h.submit({ side: 'SELL', type: 'STOP_MARKET', qty: 1, trigger: 95, parent, reduceOnly: true });
    h.bar(100, 101, 90, 92); // the entry at the open, then the walk falls through the stop
    expect(parent.status).toBe('FILLED');
    expect(px(h.fills(sl)[0]?.lastPx)).toBe('95');
  });
});

describe('SimulatedVenue: funds', () => {
  it('rejects a spot buy the cash cannot pay for, fee included', () => {
    const h = harness({ cash: 100 });
    h.bar(100, 101, 99, 100);
    const tooBig = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 100 });
    const code = h.events.find(
      (e): e is OrderRejected => e.type === 'OrderRejected' && e.orderId === tooBig.id,
    )?.code;
    expect(code).toBe('ERR_INSUFFICIENT_FUNDS'); // 100 + 0.1 fee > 100
    const fits = h.submit({ side: 'BUY', type: 'LIMIT', qty: '0.99', price: 100 });
    expect(h.types(fits)).toEqual(['OrderAccepted']);
  });

  it('rejects a spot sell of coins not held', () => {
    const h = harness({ position: '0.5' });
    h.bar(100, 101, 99, 100);
    expect(h.types(h.submit({ side: 'SELL', qty: 1 }))).toEqual(['OrderRejected']);
    expect(h.types(h.submit({ side: 'SELL', qty: '0.5' }))).toEqual(['OrderAccepted']);
  });

  it('cancels at fill time when the cash is gone, as two orders cannot spend it twice', () => {
    const h = harness({ cash: 150 });
    h.bar(100, 101, 99, 100);
    const a = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 99 });
    const b = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 98 });
    h.bar(100, 100, 97, 98);
    expect(a.status).toBe('FILLED');
    expect(b.status).toBe('CANCELED');
    const reason = h.events.find(
      (e): e is OrderCanceled => e.type === 'OrderCanceled' && e.orderId === b.id,
    )?.reason;
    expect(reason).toBe('ERR_INSUFFICIENT_FUNDS');
    expect(h.funds.available('USDT') >= 0n).toBe(true);
  });

  it('perpetuals skip the spot checks', () => {
    const h = harness({ cash: 0, instrument: { symbol: 'BTC/USDT:USDT' } });
    h.bar(100, 101, 99, 100);
    const short = h.submit({ side: 'SELL', qty: 1 });
    h.bar(100, 101, 99, 100);
    expect(short.status).toBe('FILLED');
    expect(h.funds.positionQty(h.inst.symbol)).toBe(fx(-1));
  });
});

describe('SimulatedVenue: shadow trades, ids, determinism, speed', () => {
  it('a trade print is a one-price bar: it fills a resting limit at its price, at the print time', () => {
    const h = harness();
    h.venue.processTrade({ symbol: 'BTC/USDT', ts: 10, id: 't1', price: 100, amount: 5, side: 'BUY' });
    h.clock.advanceTo(20);
    const o = h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 99.5 });
    h.venue.processTrade({ symbol: 'BTC/USDT', ts: 15, id: 't2', price: 99, amount: 5, side: 'SELL' }); // before arrival
    expect(h.fills(o)).toHaveLength(0);
    h.venue.processTrade({ symbol: 'BTC/USDT', ts: 30, id: 't3', price: 99.4, amount: 5, side: 'SELL' });
    expect(h.fills(o)[0]?.ts).toBe(30);
    expect(px(h.fills(o)[0]?.lastPx)).toBe('99.4');
  });

  it('ignores bars still forming', () => {
    const h = harness();
    const o = h.submit({ side: 'BUY', qty: 1 });
    h.venue.processBar({
      symbol: 'BTC/USDT',
      timeframe: '1m',
      ts: 0,
      open: 1,
      high: 1,
      low: 1,
      close: 1,
      volume: 1,
      closed: false,
    });
    expect(h.fills(o)).toHaveLength(0);
  });

  it('gives sequential venue order ids and trade ids, and replays byte for byte', () => {
    const run = (): string => {
      const h = harness({ config: { volumeShare: 0.3 }, seed: 7 });
      h.bar(100, 101, 99, 100);
      h.submit({ side: 'BUY', qty: 2 });
      h.submit({ side: 'BUY', type: 'LIMIT', qty: 1, price: 99 });
      for (let i = 0; i < 5; i++) h.bar(100 + i, 102 + i, 98 + i, 100 + i, 3);
      return JSON.stringify(h.events, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    };
    const a = run();
    expect(a).toBe(run());
    expect(a).toContain('"venueOrderId":"SIM-1"');
    expect(a).toContain('"venueOrderId":"SIM-2"');
    expect(a).toContain('"tradeId":"SIM-T1"');
  });

  it('processBar with no open orders for the symbol is cheap (a backtest calls it per bar)', () => {
    const funds = new FakeFunds();
    const clock = new TestClock(0);
    const inst = makeInstrument({ symbol: 'BTC/USDT' });
    const venue = new SimulatedVenue({ clock, instrument: () => inst, funds, config: DEFAULT_FILL_MODEL });
    const bars: Bar[] = [];
    for (let i = 0; i < 1000; i++) {
      bars.push({
        symbol: 'BTC/USDT',
        timeframe: '1m',
        ts: i,
        open: 1,
        high: 2,
        low: 0.5,
        close: 1,
        volume: 1,
        closed: true,
      });
    }
    const t0 = performance.now();
    for (let k = 0; k < 1000; k++) for (const b of bars) venue.processBar(b);
    const perBarNs = ((performance.now() - t0) * 1e6) / (1000 * bars.length);
    expect(venue.openOrders()).toHaveLength(0);
    // Generous bound (≈ 50× the expected cost) so only a real regression fails it.
    expect(perBarNs).toBeLessThan(2_000);
  });

  it('throws a coded error when used without a sink', () => {
    const venue = new SimulatedVenue({
      clock: new TestClock(0),
      instrument: () => makeInstrument({ symbol: 'BTC/USDT' }),
      funds: new FakeFunds(),
      config: DEFAULT_FILL_MODEL,
    });
    const h = harness();
    const o = h.submit({ side: 'BUY', qty: 1 });
    expect(() => venue.submit(o)).toThrow(/setSink/);
  });
});
