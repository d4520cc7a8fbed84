/**
 * Open positions as GET /positions and the `positions` push channel show them: unrealized PnL at
 * the price the position is valued at in equity — the venue's mark for a perpetual, the last
 * price for spot. At the last price a perpetual's PnL disagreed with the equity the same screen
 * showed (and with the exchange, which reports it at the mark) whenever mark and last differ.
 */
import { describe, expect, it } from 'vitest';
import { ZERO, add, sub, toFixed } from '../../src/core/Fixed.js';
import type { Fixed } from '../../src/core/Fixed.js';
import { openPositions } from '../../src/api/engine/openPositions.js';
import { positionsState } from '../../src/api/push/sources/accountChannels.js';
import type { OrderFilled } from '../../src/model/events.js';
import type { Instrument } from '../../src/model/Instrument.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { Portfolio } from '../../src/portfolio/Portfolio.js';

const PERP = makeInstrument({ symbol: 'BTC/USDT:USDT', maintenanceRate: '0.005' });
const SPOT = makeInstrument({ symbol: 'ETH/USDT' });
const INST: Record<string, Instrument> = { [PERP.symbol]: PERP, [SPOT.symbol]: SPOT };

function fill(symbol: string, side: 'BUY' | 'SELL', qty: string, px: string): OrderFilled {
  return {
    type: 'OrderFilled',
    eventId: 'e',
    orderId: 'o',
    strategyId: 's',
    symbol,
    ts: 0,
    tradeId: `${symbol}-${side}-${qty}`,
    side,
    lastQty: toFixed(qty),
    lastPx: toFixed(px),
    fee: ZERO,
    feeCurrency: 'USDT',
    liquidity: 'TAKER',
  };
}

describe('open positions shown by the API and the push channel', () => {
  it('value a perpetual at the mark and spot at the last price, adding up to the equity', () => {
    const p = new Portfolio('USDT', { USDT: toFixed(100_000) }, (s) => INST[s] as Instrument, {
      leverage: 5,
      mode: 'CROSS',
    });
    p.applyFill(fill(PERP.symbol, 'SELL', '0.5', '60000'));
    p.applyFill(fill(SPOT.symbol, 'BUY', '2', '3000'));
    p.updatePrice(PERP.symbol, 61_000);
    p.updateMarkPrice(PERP.symbol, 60_800);
    p.updatePrice(SPOT.symbol, 3_100);

    const shown = openPositions(p);
    const bySymbol = new Map(shown.map((v) => [v.symbol, v]));
    expect(bySymbol.get(PERP.symbol)).toMatchObject({
      qty: '-0.5',
      lastPrice: 61_000,
      markPrice: 60_800,
      // Short 0.5 from 60,000 at a mark of 60,800.
      unrealizedPnl: '-400',
    });
    expect(bySymbol.get(SPOT.symbol)).toMatchObject({
      lastPrice: 3_100,
      markPrice: 3_100,
      unrealizedPnl: '200',
    });

    // Equity = cash + the perpetual's unrealized PnL + the spot holding at its last price.
    let sum: Fixed = p.cash();
    sum = add(sum, toFixed(bySymbol.get(PERP.symbol)?.unrealizedPnl ?? 'NaN'));
    sum = add(sum, toFixed(3_100 * 2));
    expect(sub(p.equityExact(), sum)).toBe(ZERO);

    // The push channel shows the same views.
    expect(positionsState(p, 5)).toEqual({ ts: 5, currency: 'USDT', positions: shown });
  });
});
