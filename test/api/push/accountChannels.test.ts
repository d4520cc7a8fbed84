import { describe, expect, it } from 'vitest';
import { toFixed } from '../../../src/core/Fixed.js';
import { equityState } from '../../../src/api/push/sources/accountChannels.js';
import type { OrderFilled } from '../../../src/model/events.js';
import { makeInstrument } from '../../../src/model/Instrument.js';
import { Portfolio } from '../../../src/portfolio/Portfolio.js';

/** Binance spot: a buy pays its fee in the coin bought, a sell in the USDT received. */
const BTC = makeInstrument({ symbol: 'BTC/USDT', tickSize: '0.01', lotSize: '0.00001', feeSide: 'get' });

let n = 0;
function fill(side: 'BUY' | 'SELL', qty: string, px: string, fee: string, feeCurrency: string): OrderFilled {
  n += 1;
  return {
    type: 'OrderFilled',
    orderId: `o-${n}`,
    strategyId: 's1',
    symbol: BTC.symbol,
    ts: n,
    eventId: `e-${n}`,
    tradeId: `t-${n}`,
    side,
    lastQty: toFixed(qty),
    lastPx: toFixed(px),
    fee: toFixed(fee),
    feeCurrency,
    liquidity: 'TAKER',
  };
}

describe('equity channel: fees paid', () => {
  it('values a fee taken in the coin at its fill price and lists a third-currency fee apart', () => {
    const p = new Portfolio('USDT', { USDT: 10_000 }, () => BTC);
    p.applyFill(fill('BUY', '0.1', '30000', '0.0001', 'BTC')); // 0.0001 BTC × 30 000 = 3 USDT
    p.applyFill(fill('SELL', '0.05', '31000', '1.55', 'USDT'));
    p.updatePrice(BTC.symbol, 40_000); // a later price changes nothing: fees are valued when paid
    expect(equityState(p, 7)).toMatchObject({ ts: 7, currency: 'USDT', feesPaid: '4.55', feesUnvalued: {} });

    // A live account paying with BNB: booked on BNB's own line, shown apart, never added as USDT.
    p.applyFill(fill('SELL', '0.01', '31000', '0.0004', 'BNB'));
    p.applyFill(fill('BUY', '0.01', '31000', '0.0003', 'BNB'));
    expect(equityState(p, 8)).toMatchObject({ feesPaid: '4.55', feesUnvalued: { BNB: '0.0007' } });
  });
});
