import { describe, expect, it } from 'vitest';
import { formatFixed, toFixed } from '../../src/core/Fixed.js';
import type { FeeSide } from '../../src/model/Instrument.js';
import { closingQty, isDust, makeInstrument } from '../../src/model/Instrument.js';

/** ETH/USDT on Binance spot: lots of 0.0001, 0.1 % fees taken per `feeSide`. */
function eth(feeSide: FeeSide) {
  return makeInstrument({
    symbol: 'ETH/USDT',
    tickSize: '0.01',
    lotSize: '0.0001',
    makerFee: '0.001',
    takerFee: '0.001',
    feeSide,
  });
}

describe('closingQty: what a flatten (kill switch, API close) may send', () => {
  it('is a whole number of lots whichever side the fee is taken on', () => {
    // 0.2483 bought with the fee in the coin received ('get', Binance spot's default) leaves
    // 0.2480517 held; the sell's fee is in USDT, so every whole lot of it can be sold.
    const held = toFixed('0.2480517');
    expect(formatFixed(closingQty(eth('get'), held))).toBe('0.248');
    expect(formatFixed(closingQty(eth('quote'), held))).toBe('0.248');
    // The sell's fee in the coin: held ÷ 1.001, floored to the lot.
    expect(formatFixed(closingQty(eth('base'), held))).toBe('0.2478');
    // A short is bought back in whole lots too.
    expect(formatFixed(closingQty(eth('quote'), toFixed('-0.25005')))).toBe('0.25');
  });

  it('leaves the dust rule as it was: under one lot sellable is dust, one lot is not', () => {
    expect(isDust(eth('get'), toFixed('0.00009'))).toBe(true);
    expect(isDust(eth('get'), toFixed('0.0001'))).toBe(false);
    expect(isDust(eth('get'), toFixed('0.00019'))).toBe(false);
  });
});
