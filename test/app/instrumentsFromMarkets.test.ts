import ccxt from 'ccxt';
import type { Exchange, Market } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentsFromMarkets } from '../../src/app/instrumentsFromMarkets.js';
import { formatFixed } from '../../src/core/Fixed.js';
import { feeInBase } from '../../src/model/Instrument.js';
import { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import type { FakeTrade } from '../support/fakeBinance/types.js';

const trades: FakeTrade[] = [0, 1, 2, 3].map((i) => ({
  id: i + 1,
  ts: 1_700_000_000_000 + i * 1_000,
  price: 0.00031 + i * 0.00000001,
  amount: 100 + i,
  side: i % 2 === 0 ? 'buy' : 'sell',
}));

describe('instrumentsFromMarkets: fees where the exchange charges them', () => {
  let fake: FakeBinance;
  beforeAll(async () => {
    fake = await FakeBinance.start({ markets: [{ symbol: 'XRP/ETH', trades, futures: true }] });
  });
  afterAll(async () => {
    await fake.close();
  });

  it("Binance spot, loaded by ccxt from exchangeInfo: feeSide 'get', commissions cut to 8 decimals", async () => {
    const ex = new ccxt.binance();
    await fake.configure(ex);
    await ex.loadMarkets();
    const m = (ex.markets as Record<string, Market | undefined> | undefined)?.['XRP/ETH'];
    const [inst] = instrumentsFromMarkets(ex, ['XRP/ETH']);
    expect(m?.feeSide).toBe('get');
    expect(inst?.feeSide).toBe('get');
    expect(formatFixed(inst?.feeStep ?? (-1n as never))).toBe('0.00000001');
  });

  it("Binance USDT-M perpetuals: ccxt says 'get' there too; the venue settles their fees in ETH/USDT anyway", async () => {
    const ex = new ccxt.binanceusdm();
    await fake.configureFutures(ex);
    await ex.loadMarkets();
    const [perp] = instrumentsFromMarkets(ex, ['XRP/ETH:ETH']);
    expect(perp?.kind).toBe('PERPETUAL');
    expect(perp?.feeSide).toBe('get');
    expect(formatFixed(perp?.feeStep ?? (-1n as never))).toBe('0');
    // Perpetuals are never charged in base (test/sim/feeSide.test.ts fills one).
    expect(perp === undefined ? true : feeInBase(perp, 'BUY') || feeInBase(perp, 'SELL')).toBe(false);
  });

  it('a market without a feeSide, or with one ccxt does not define, is charged in quote, exactly', () => {
    const ex = new ccxt.binance();
    const base = {
      id: 'XRPETH',
      symbol: 'XRP/ETH',
      base: 'XRP',
      quote: 'ETH',
      type: 'spot',
      spot: true,
      contract: false,
      precision: { amount: 1, price: 0.00000001 },
      limits: { amount: { min: 1 }, cost: { min: 0.0001 } },
      maker: 0.001,
      taker: 0.001,
      info: {},
    } as unknown as Market;
    for (const feeSide of [undefined, 'both', 7]) {
      (ex as Exchange).markets = { 'XRP/ETH': { ...base, feeSide } as unknown as Market } as never;
      const [inst] = instrumentsFromMarkets(ex, ['XRP/ETH']);
      expect(inst?.feeSide).toBe('quote');
      expect(formatFixed(inst?.feeStep ?? (-1n as never))).toBe('0');
    }
    (ex as Exchange).markets = {
      'XRP/ETH': { ...base, feeSide: 'give', info: { quoteCommissionPrecision: 6 } } as unknown as Market,
    } as never;
    const [give] = instrumentsFromMarkets(ex, ['XRP/ETH']);
    expect(give?.feeSide).toBe('give');
    expect(formatFixed(give?.feeStep ?? (-1n as never))).toBe('0.000001');
  });
});
