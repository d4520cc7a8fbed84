import { describe, expect, it } from 'vitest';
import type { Fixed } from '../../src/core/Fixed.js';
import { add, formatFixed, sub, toFixed, toNumber } from '../../src/core/Fixed.js';
import { dustAfterFills } from '../../src/backtest/dustAfterFills.js';
import { roundTripsFromFills } from '../../src/backtest/roundTrips.js';
import { FillTape, fillRecords } from '../../src/backtest/FillTape.js';
import { LastTwo } from '../../src/core/LastTwo.js';
import type { OrderFilled } from '../../src/model/events.js';
import type { FeeSide, Instrument } from '../../src/model/Instrument.js';
import { isDust, makeInstrument } from '../../src/model/Instrument.js';
import type { ContextHost } from '../../src/node/ContextHost.js';
import { PositionViews } from '../../src/node/PositionViews.js';
import { Portfolio } from '../../src/portfolio/Portfolio.js';

/** One unit of a Fixed: 10^-16. */
const UNIT = 1n as Fixed;

/** Whole-coin lots and 0.1 % fees, like XRP/ETH on Binance spot; the fee taken per `feeSide`. */
function xrp(feeSide: FeeSide): Instrument {
  return makeInstrument({
    symbol: 'XRP/ETH',
    tickSize: '0.00000001',
    lotSize: '1',
    makerFee: '0.001',
    takerFee: '0.001',
    feeSide,
  });
}

let seq = 0;
function filled(side: 'BUY' | 'SELL', qty: Fixed, fee: string, feeCurrency: string): OrderFilled {
  seq++;
  return {
    type: 'OrderFilled',
    eventId: `e${seq}`,
    orderId: `o${seq}`,
    tradeId: `t${seq}`,
    strategyId: 'flip',
    symbol: 'XRP/ETH',
    ts: seq * 60_000,
    side,
    lastQty: qty,
    lastPx: toFixed('0.0003'),
    fee: toFixed(fee),
    feeCurrency,
    liquidity: 'TAKER',
  };
}

/**
 * A buy and a sell that leave exactly `held` XRP: the sell of 9 pays 0.009 (in the coin where
 * the sell's fee is taken there), the buy 0.01 (in the coin where the buy's fee is).
 */
function fillsLeaving(inst: Instrument, held: Fixed): OrderFilled[] {
  const sellFeeInCoin = inst.feeSide === 'give';
  const bought = add(held, toFixed(sellFeeInCoin ? '9.009' : '9.01'));
  return [
    filled('BUY', bought, '0.01', sellFeeInCoin ? 'ETH' : 'XRP'),
    filled('SELL', toFixed(9), '0.009', sellFeeInCoin ? 'XRP' : 'ETH'),
  ];
}

/** What a strategy sees: the position view over a portfolio that booked the fills. */
function strategySeesFlat(inst: Instrument, fills: readonly OrderFilled[]): { flat: boolean; held: string } {
  const portfolio = new Portfolio('ETH', { ETH: 100 }, () => inst);
  for (const f of fills) portfolio.applyFill(f);
  const host = { portfolio, instrument: () => inst } as unknown as ContextHost;
  const view = new PositionViews(host).position(inst.symbol);
  return { flat: view.isFlat, held: formatFixed(view.qty) };
}

/** What the backtest's trip list makes of the same fills, as runBacktest hands them over. */
function tripClosed(inst: Instrument, fills: readonly OrderFilled[]): boolean {
  // The records runBacktest writes: one bar per fill.
  const tape = new FillTape();
  fills.forEach((e, barIndex) => {
    tape.barIndex = barIndex;
    tape.record(e);
  });
  const records = fillRecords(tape, new LastTwo<Fixed, number>(toNumber));
  const trips = roundTripsFromFills(records, new Map(), dustAfterFills(fills, [inst]));
  expect(trips).toHaveLength(1);
  return trips[0]!.closed;
}

describe('the dust rule: strategies and the trip list agree to the last unit', () => {
  // 'give': a sell of N needs N × 1.001 coins, so a long is dust while held < 1 × 1.001.
  // 'get': the sell's fee is paid in ETH, so a long is dust while held < one lot.
  const lines: [FeeSide, string][] = [
    ['give', '1.001'],
    ['get', '1'],
  ];
  for (const [feeSide, line] of lines) {
    const inst = xrp(feeSide);
    const at = toFixed(line);
    const cases: [string, Fixed, boolean][] = [
      ['one unit below the line', sub(at, UNIT), true],
      ['exactly at the line', at, false],
      ['one unit above the line', add(at, UNIT), false],
    ];
    for (const [where, held, dust] of cases) {
      it(`feeSide ${feeSide}, ${formatFixed(held)} held (${where}): ${dust ? 'dust, flat' : 'long'}`, () => {
        expect(isDust(inst, held)).toBe(dust);
        const fills = fillsLeaving(inst, held);
        const seen = strategySeesFlat(inst, fills);
        // The portfolio really holds the amount under test, to the unit.
        expect(seen.held).toBe(formatFixed(held));
        expect(seen.flat).toBe(dust);
        // The trip closes exactly where the strategy sees flat (and would buy again).
        expect(tripClosed(inst, fills)).toBe(dust);
      });
    }
  }
});
