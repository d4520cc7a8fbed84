import { describe, it, expect } from 'vitest';
import { roundTripsFromFills } from '../../src/backtest/roundTrips.js';
import type { FillRecord, RoundTrip } from '../../src/backtest/types.js';
import { OrderSide } from '../../src/model/enums.js';

let seq = 0;
function fill(
  side: OrderSide,
  quantity: number,
  price: number,
  fee: number,
  barIndex: number,
  over: Partial<FillRecord> = {},
): FillRecord {
  seq++;
  return {
    ts: 1_000 * barIndex,
    orderId: `o${seq}`,
    tradeId: `t${seq}`,
    strategyId: 's1',
    symbol: 'BTC/USDT',
    side,
    quantity,
    price,
    fee,
    feeCurrency: 'USDT',
    barIndex,
    ...over,
  };
}
const { BUY, SELL } = OrderSide;
const none = new Map<string, { price: number; ts: number; barIndex: number }>();

describe('roundTripsFromFills', () => {
  it('computes a plain long trip net of fees', () => {
    // Buy 1 @100 (fee 1), sell 1 @110 (fee 1): gross 10, net 8, return 8 / 100.
    const trips = roundTripsFromFills([fill(BUY, 1, 100, 1, 0), fill(SELL, 1, 110, 1, 5)], none);
    expect(trips).toHaveLength(1);
    const t = trips[0]!;
    expect(t.side).toBe(BUY);
    expect(t.entryPrice).toBe(100);
    expect(t.exitPrice).toBe(110);
    expect(t.quantity).toBe(1);
    expect(t.pnl).toBeCloseTo(8, 12);
    expect(t.fees).toBeCloseTo(2, 12);
    expect(t.returnPct).toBeCloseTo(0.08, 12);
    expect(t.barsHeld).toBe(5);
    expect(t.entryTs).toBe(0);
    expect(t.exitTs).toBe(5_000);
    expect(t.closed).toBe(true);
  });

  it('computes a short trip with the sign reversed', () => {
    // Sell 2 @100, buy back 2 @90, fees 0.5 each: gross 20, net 19, return 19 / 200.
    const trips = roundTripsFromFills([fill(SELL, 2, 100, 0.5, 1), fill(BUY, 2, 90, 0.5, 4)], none);
    expect(trips).toHaveLength(1);
    expect(trips[0]!.side).toBe(SELL);
    expect(trips[0]!.pnl).toBeCloseTo(19, 12);
    expect(trips[0]!.returnPct).toBeCloseTo(0.095, 12);
    expect(trips[0]!.barsHeld).toBe(3);
  });

  it('handles scale-ins and partial exits as one trip with weighted prices', () => {
    // Entries: 1 @100 + 3 @120 → qty 4, notional 460, avg 115.
    // Exits:   2 @130 + 2 @110 → notional 480, avg 120.
    // Gross 480 − 460 = 20; fees 0.1 + 0.3 + 0.2 + 0.2 = 0.8; pnl 19.2; return 19.2 / 460.
    const trips = roundTripsFromFills(
      [
        fill(BUY, 1, 100, 0.1, 0),
        fill(BUY, 3, 120, 0.3, 2),
        fill(SELL, 2, 130, 0.2, 4),
        fill(SELL, 2, 110, 0.2, 6),
      ],
      none,
    );
    expect(trips).toHaveLength(1);
    const t = trips[0]!;
    expect(t.quantity).toBe(4);
    expect(t.entryPrice).toBeCloseTo(115, 12);
    expect(t.exitPrice).toBeCloseTo(120, 12);
    expect(t.fees).toBeCloseTo(0.8, 12);
    expect(t.pnl).toBeCloseTo(19.2, 12);
    expect(t.returnPct).toBeCloseTo(19.2 / 460, 12);
    expect(t.barsHeld).toBe(6);
    expect(t.exitTs).toBe(6_000);
    expect(t.closed).toBe(true);
  });

  it('splits a flipping fill into a close and a new trip, fees pro rata', () => {
    // Long 2 @100 (fee 2). Sell 5 @110 (fee 5): 2 close the long (fee 2), 3 open a short (fee 3).
    // Long: gross 2 × 10 = 20, fees 2 + 2 → pnl 16.
    // Short: 3 @110 → buy 3 @100 (fee 3): gross 30, fees 3 + 3 → pnl 24, return 24 / 330.
    const trips = roundTripsFromFills(
      [fill(BUY, 2, 100, 2, 0), fill(SELL, 5, 110, 5, 3), fill(BUY, 3, 100, 3, 7)],
      none,
    );
    expect(trips).toHaveLength(2);
    const [long, short] = trips as [(typeof trips)[0], (typeof trips)[0]];
    expect(long.side).toBe(BUY);
    expect(long.quantity).toBe(2);
    expect(long.fees).toBeCloseTo(4, 12);
    expect(long.pnl).toBeCloseTo(16, 12);
    expect(long.barsHeld).toBe(3);
    expect(short.side).toBe(SELL);
    expect(short.quantity).toBe(3);
    expect(short.entryPrice).toBe(110);
    expect(short.exitPrice).toBe(100);
    expect(short.entryTs).toBe(3_000);
    expect(short.fees).toBeCloseTo(6, 12);
    expect(short.pnl).toBeCloseTo(24, 12);
    expect(short.returnPct).toBeCloseTo(24 / 330, 12);
    expect(short.barsHeld).toBe(4);
  });

  it('marks a trip still open at the end to the last price', () => {
    // Buy 2 @50 (fee 0.5), sell 1 @60 (fee 0.25), 1 left marked at 70 (no exit fee).
    // Exit notional 60 + 70 = 130 → exitPrice 65; gross 130 − 100 = 30; pnl 30 − 0.75 = 29.25.
    const last = new Map([['BTC/USDT', { price: 70, ts: 9_000, barIndex: 9 }]]);
    const trips = roundTripsFromFills([fill(BUY, 2, 50, 0.5, 1), fill(SELL, 1, 60, 0.25, 3)], last);
    expect(trips).toHaveLength(1);
    const t = trips[0]!;
    expect(t.closed).toBe(false);
    expect(t.quantity).toBe(2);
    expect(t.exitPrice).toBeCloseTo(65, 12);
    expect(t.pnl).toBeCloseTo(29.25, 12);
    expect(t.exitTs).toBe(9_000);
    expect(t.barsHeld).toBe(8);
  });

  it('falls back to the last fill price when no last price is given', () => {
    // Short 1 @100 then another 1 @90 (fills only); mark = 90: gross (190 − 180) = 10.
    const trips = roundTripsFromFills([fill(SELL, 1, 100, 0, 0), fill(SELL, 1, 90, 0, 2)], none);
    expect(trips).toHaveLength(1);
    expect(trips[0]!.closed).toBe(false);
    expect(trips[0]!.side).toBe(SELL);
    expect(trips[0]!.entryPrice).toBe(95);
    expect(trips[0]!.pnl).toBeCloseTo(10, 12);
  });

  it('treats float dust as flat (0.1 + 0.2 − 0.3)', () => {
    const trips = roundTripsFromFills(
      [fill(BUY, 0.1, 10, 0, 0), fill(BUY, 0.2, 10, 0, 1), fill(SELL, 0.3, 11, 0, 2)],
      none,
    );
    expect(trips).toHaveLength(1);
    expect(trips[0]!.closed).toBe(true);
    expect(trips[0]!.pnl).toBeCloseTo(0.3, 12);
  });

  it('keeps (strategyId, symbol) positions apart and sorts trips by entry time', () => {
    const eth = { symbol: 'ETH/USDT' };
    const other = { strategyId: 's2' };
    const trips = roundTripsFromFills(
      [
        fill(BUY, 1, 100, 0, 0),
        fill(SELL, 1, 10, 0, 1, eth),
        fill(SELL, 1, 100, 0, 2, other),
        fill(SELL, 1, 105, 0, 3),
        fill(BUY, 1, 9, 0, 4, eth),
      ],
      new Map([['BTC/USDT', { price: 90, ts: 9_000, barIndex: 9 }]]),
    );
    expect(trips.map((t) => `${t.strategyId}:${t.symbol}:${t.closed}`)).toEqual([
      's1:BTC/USDT:true',
      's1:ETH/USDT:true',
      's2:BTC/USDT:false',
    ]);
    expect(trips[0]!.pnl).toBeCloseTo(5, 12);
    expect(trips[1]!.pnl).toBeCloseTo(1, 12);
    // s2 is short 1 @100 marked at 90.
    expect(trips[2]!.pnl).toBeCloseTo(10, 12);
  });

  it('returns no trips for no fills', () => {
    expect(roundTripsFromFills([], none)).toEqual([]);
  });
});

describe('roundTripsFromFills with fees taken in the coin (Instrument.feeSide)', () => {
  const inBtc = { feeCurrency: 'BTC' };

  it('values a coin fee at its fill price and takes its coins out of the position', () => {
    // Binance spot ('get'): buy 1 BTC @100 with its fee 0.001 BTC taken from the coins bought
    // (0.999 held), sell the 0.999 @110 paying 0.10989 USDT. The trip is closed, and its pnl is
    // what its trades paid and got: 0.999 × 110 − 100 − 0.10989 = 9.78011.
    const trips = roundTripsFromFills(
      [fill(BUY, 1, 100, 0.001, 0, inBtc), fill(SELL, 0.999, 110, 0.10989, 2)],
      none,
    );
    expect(trips).toHaveLength(1);
    const t = trips[0]!;
    expect(t.closed).toBe(true);
    expect(t.quantity).toBe(1);
    expect(t.exitPrice).toBe(110);
    // 0.001 BTC at the buy's price (0.1 USDT) plus the sell's 0.10989 USDT; never 0.001 + 0.10989.
    expect(t.fees).toBeCloseTo(0.20989, 12);
    expect(t.pnl).toBeCloseTo(9.78011, 12);
    expect(t.returnPct).toBeCloseTo(9.78011 / 100, 12);
  });

  it("counts a sell's coin fee among the coins leaving the position", () => {
    // 'give' (the sell's fee in the coin given): hold 1, sell 0.999 and its fee 0.000999 BTC.
    // Dust of 0.000001 is left, flagged as dust (dustAfterFills): the trip is closed.
    const dust = Uint8Array.of(0, 1);
    const trips = roundTripsFromFills(
      [fill(BUY, 1, 100, 0.1, 0), fill(SELL, 0.999, 100, 0.000999, 1, inBtc)],
      none,
      dust,
    );
    expect(trips).toHaveLength(1);
    const t = trips[0]!;
    expect(t.closed).toBe(true);
    expect(t.fees).toBeCloseTo(0.1 + 0.0999, 12);
    // Paid 100 + 0.1, got 99.9, and the dust left (0.000001 BTC) is worth 0.0001 at the sell.
    expect(t.pnl).toBeCloseTo(99.9 - 100 - 0.1 + 0.0001, 12);
  });

  it('hands dust on to the next trip, which sells it and pays for it', () => {
    // The first sell leaves dust (dustAfterFills flags it); the last sell leaves nothing.
    const dust = Uint8Array.of(0, 1, 0, 0);
    const trips = roundTripsFromFills(
      [
        // Buy 1 @100, 0.001 BTC fee: 0.999 held; sell 0.99 @100: 0.009 dust, flat.
        fill(BUY, 1, 100, 0.001, 0, inBtc),
        fill(SELL, 0.99, 100, 0.099, 1),
        // Buy 1 @200, 0.001 BTC fee: 0.999 + 0.009 held; sell all 1.008 @200.
        fill(BUY, 1, 200, 0.001, 2, inBtc),
        fill(SELL, 1.008, 200, 0.2016, 3),
      ],
      none,
      dust,
    );
    expect(trips.map((t) => t.closed)).toEqual([true, true]);
    const [first, second] = trips as [RoundTrip, RoundTrip];
    // 99 − 100 − 0.099 + 0.009 × 100 (the dust, handed on at the sell's price).
    expect(first.pnl).toBeCloseTo(99 - 100 - 0.099 + 0.9, 12);
    // 201.6 − 200 − 0.2016 − 0.9 (the dust taken over).
    expect(second.pnl).toBeCloseTo(201.6 - 200 - 0.2016 - 0.9, 12);
    // Together: every payment and receipt, nothing counted twice.
    expect(first.pnl + second.pnl).toBeCloseTo(99 + 201.6 - 100 - 200 - 0.099 - 0.2016, 12);
  });

  it('leaves a fee in a third currency (BNB) out of the trip: it has no price here', () => {
    const trips = roundTripsFromFills(
      [fill(BUY, 1, 100, 0.5, 0, { feeCurrency: 'BNB' }), fill(SELL, 1, 110, 0.11, 1)],
      none,
    );
    expect(trips[0]!.fees).toBeCloseTo(0.11, 12);
    expect(trips[0]!.pnl).toBeCloseTo(10 - 0.11, 12);
  });
});
