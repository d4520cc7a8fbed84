/**
 * The LIQUIDATION notification of a live liquidation whose clearance fee the exchange charged
 * apart from the trades (Binance: income INSURANCE_CLEAR, added to the last line's fee by
 * LiveLiquidations): the total fee is told as before, and the clearance part of it by name, in
 * the text and in the webhook data. A liquidation without one (shadow, or no income row) keeps
 * its text and says `clearanceFee: null`.
 */
import { describe, expect, it } from 'vitest';
import { liquidationBooked } from '../../src/app/LiquidationBooking.js';
import type { ForcedCloseInfo } from '../../src/app/LiquidationBooking.js';
import { parseFixed } from '../../src/core/Fixed.js';
import type { LiquidationBooked } from '../../src/kernel/topics.js';
import type { LiquidationTrade, PositionLiquidated } from '../../src/model/futuresEvents.js';
import { liquidationFills } from '../../src/model/futuresEvents.js';
import { MarginMode } from '../../src/model/MarginMode.js';
import { liquidationNotification } from '../../src/notify/engineNotifications.js';
import { liquidationTrade } from '../support/liquidationTrade.js';

const PERP = 'XRP/USDT:USDT';

function booked(trades: readonly LiquidationTrade[], close: ForcedCloseInfo): LiquidationBooked {
  const e: PositionLiquidated = {
    type: 'PositionLiquidated',
    symbol: PERP,
    ts: 1_700_000_000_000,
    marginMode: MarginMode.ISOLATED,
    side: 'SELL',
    positionQty: parseFixed('1000'),
    price: parseFixed('1.046'),
    markPrice: parseFixed('1.05'),
    realizedPnl: parseFixed('-150'),
    fee: parseFixed('13.4934'),
    insuranceCovered: parseFixed('0'),
    currency: 'USDT',
    trades,
  };
  const lines = liquidationFills(e, 'manual', (id) => `LIQ-${PERP}-${id ?? 'x'}`);
  const b = liquidationBooked(e, lines, 'binanceusdm', close);
  if (b === undefined) throw new Error('nothing booked');
  return b;
}

// Taker fees 0.252 + 0.1664; the last trade's line carries the clearance fee 13.075 too.
const TRADES = [
  liquidationTrade('1', '600', '1.05', '0.252'),
  liquidationTrade('2', '400', '1.04', '13.2414'),
];

describe('the LIQUIDATION notification of a clearance fee charged apart from the trades', () => {
  it('names the clearance part of the total fee in the text and the data', () => {
    const b = booked(TRADES, {
      cause: 'liquidation',
      venueOrderId: '77',
      clearanceFee: { currency: 'USDT', amount: parseFixed('13.075') },
    });
    expect(b.clearanceFee).toEqual({ currency: 'USDT', amount: parseFixed('13.075') });
    const n = liquidationNotification(b);
    expect(n.text).toBe(
      `manual: the long position of 1000 ${PERP} was LIQUIDATED in 2 trades (600 @ 1.05, 400 @ 1.04) ` +
        'at a volume-weighted average of 1.046 (SELL taker), clearance fee 13.4934 USDT in total ' +
        '(13.075 USDT of it charged by the exchange apart from the trades), realized PnL -150. ' +
        `Not an order of ours: exchange order 77, trades LIQ-${PERP}-1, LIQ-${PERP}-2.`,
    );
    expect(n.data).toMatchObject({ fee: '13.4934', feeCurrency: 'USDT', clearanceFee: '13.075' });
  });

  it('keeps the text of a liquidation without one, with clearanceFee null in the data', () => {
    const n = liquidationNotification(booked(TRADES, { cause: 'liquidation', venueOrderId: '77' }));
    expect(n.text).toContain('clearance fee 13.4934 USDT in total, realized PnL -150.');
    expect(n.text).not.toContain('apart from the trades');
    expect(n.data?.['clearanceFee']).toBeNull();
  });
});
