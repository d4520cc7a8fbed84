import { InsufficientFunds, OrderImmediatelyFillable } from 'ccxt';
import type { Exchange, Order, Trade } from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { add, parseFixed, sub, ZERO } from '../../src/core/Fixed.js';
import type { Fixed } from '../../src/core/Fixed.js';
import type { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import { closeAll, ethSpotSession, fx, info, infoDecimal, notional } from './privateHelpers.js';

const SYMBOL = 'ETH/USDT';
const FEE_RATE = parseFixed('0.001');
const UNIT = parseFixed('0.00000001');

/** Binance's commission on `got`: 0.1 %, cut to 8 decimals. */
function fee(got: Fixed): Fixed {
  return notional(got, FEE_RATE);
}

function sum(xs: Fixed[]): Fixed {
  return xs.reduce((a, b) => add(a, b), ZERO);
}

describe('FakeBinance private spot API, through an unmodified ccxt.binance', () => {
  let fake: FakeBinance;
  let ex: Exchange;

  beforeEach(async () => ({ fake, ex } = await ethSpotSession()));
  afterEach(() => closeAll(fake, ex));

  it('fills a market buy level by level from the book at the cursor and moves balances exactly', async () => {
    const book = await ex.fetchOrderBook(SYMBOL, 20);
    const [p0, q0] = book.asks[0] as [number, number];
    const [p1] = book.asks[1] as [number, number];
    // More than the best level holds: the order must take two levels.
    const amount = Number((q0 + 0.5).toFixed(4));
    const order = await ex.createOrder(SYMBOL, 'market', 'buy', amount, undefined, {
      clientOrderId: 'ours-mkt-1',
    });

    expect(order.clientOrderId).toBe('ours-mkt-1');
    expect(order.status).toBe('closed');
    expect(fx(order.filled)).toBe(fx(amount));
    const expectedCost = add(notional(fx(q0), fx(p0)), notional(fx('0.5'), fx(p1)));
    expect(fx(infoDecimal(order, 'cummulativeQuoteQty'))).toBe(expectedCost);

    const trades = await ex.fetchMyTrades(SYMBOL);
    expect(trades.map((t) => [t.price, t.amount, t.side, t.takerOrMaker])).toEqual([
      [p0, q0, 'buy', 'taker'],
      [p1, 0.5, 'buy', 'taker'],
    ]);
    expect(new Set(trades.map((t) => t.id)).size).toBe(2);
    const fees = trades.map((t) => fx(t.fee?.cost));
    expect(fees).toEqual([fee(fx(q0)), fee(fx('0.5'))]);
    expect(trades.every((t) => t.fee?.currency === 'ETH')).toBe(true);

    const balance = await ex.fetchBalance();
    const usdt = sub(fx('100000'), expectedCost);
    const eth = sub(add(fx('5'), fx(amount)), sum(fees));
    expect(fx(balance['USDT']?.free ?? undefined)).toBe(usdt);
    expect(fx(balance['ETH']?.free ?? undefined)).toBe(eth);
    expect(fx(fake.account.balances()['USDT']?.free)).toBe(usdt);
    expect(fake.account.ordersCreated('ours-mkt-1')).toBe(1);
  });

  it('rests a limit buy, locks its quote, and fills it as maker over the replayed trades that reach it', async () => {
    const limit = fx('1995.25');
    const amount = fx('1.2');
    const order = await ex.createOrder(SYMBOL, 'limit', 'buy', 1.2, 1995.25, { clientOrderId: 'ours-lmt-1' });
    expect(order.status).toBe('open');
    const locked = notional(amount, limit);
    let balance = await ex.fetchBalance();
    expect(fx(balance['USDT']?.used ?? undefined)).toBe(locked);
    expect((await ex.fetchOpenOrders(SYMBOL)).map((o) => o.clientOrderId)).toEqual(['ours-lmt-1']);

    // The fills the replay must produce: each trade at or below the limit, up to its amount.
    const tape = fake.market(SYMBOL).tape;
    const expected: Fixed[] = [];
    let left = amount;
    for (let i = fake.cursor(SYMBOL); i < tape.length && left > ZERO; i++) {
      if (fx(tape.price[i]) > limit) continue;
      const a = fx(tape.amount[i]);
      const q = a < left ? a : left;
      expected.push(q);
      left = sub(left, q);
    }
    expect(expected.length).toBeGreaterThan(1);

    while (fake.account.orderByClientId('ours-lmt-1')?.status !== 'FILLED') expect(fake.step(1)).toBe(1);

    const fetched = await ex.fetchOrder(String(order.id), SYMBOL);
    expect(fetched.status).toBe('closed');
    expect(fx(fetched.average)).toBe(limit);
    const trades = await ex.fetchMyTrades(SYMBOL);
    expect(trades.map((t) => fx(t.amount))).toEqual(expected);
    expect(trades.every((t) => t.price === 1995.25 && t.takerOrMaker === 'maker')).toBe(true);
    balance = await ex.fetchBalance();
    expect(fx(balance['USDT']?.used ?? undefined)).toBe(ZERO);
    const spent = sum(expected.map((q) => notional(q, limit)));
    expect(fx(balance['USDT']?.free ?? undefined)).toBe(sub(fx('100000'), spent));
    expect(fx(balance['ETH']?.free ?? undefined)).toBe(
      add(fx('5'), sub(amount, sum(expected.map((q) => fee(q))))),
    );
  });

  it('cancels by exchange id and by client order id, unlocking; unknown orders are -2011 / -2013', async () => {
    const a = await ex.createOrder(SYMBOL, 'limit', 'buy', 1, 1900, { clientOrderId: 'ours-c-1' });
    await ex.createOrder(SYMBOL, 'limit', 'sell', 1, 2100, { clientOrderId: 'ours-c-2' });
    expect(fake.account.balances()['ETH']?.locked).toBe('1.00000000');

    const canceled = await ex.cancelOrder(String(a.id), SYMBOL);
    expect(canceled.status).toBe('canceled');
    const byClient = await ex.cancelOrder('', SYMBOL, { origClientOrderId: 'ours-c-2' });
    expect(byClient.clientOrderId).toBe('ours-c-2');
    expect(byClient.status).toBe('canceled');
    expect(fake.account.balances()['ETH']).toEqual({ free: '5.00000000', locked: '0.00000000' });
    expect(fake.account.balances()['USDT']).toEqual({ free: '100000.00000000', locked: '0.00000000' });

    await expect(ex.cancelOrder(String(a.id), SYMBOL)).rejects.toThrow(
      /"code":-2011,"msg":"Unknown order sent."/,
    );
    await expect(ex.fetchOrder('424242', SYMBOL)).rejects.toThrow(/"code":-2013/);
    const byClientId = await ex.fetchOrder('', SYMBOL, { origClientOrderId: 'ours-c-1' });
    expect(byClientId.status).toBe('canceled');
    expect((await ex.fetchOrders(SYMBOL)).map((o) => [o.clientOrderId, o.status])).toEqual([
      ['ours-c-1', 'canceled'],
      ['ours-c-2', 'canceled'],
    ]);
  });

  it('cancelAllOrders cancels every open order of the symbol', async () => {
    await ex.createOrder(SYMBOL, 'limit', 'buy', 1, 1900, { clientOrderId: 'ours-all-1' });
    await ex.createOrder(SYMBOL, 'limit', 'buy', 1, 1901, { clientOrderId: 'ours-all-2' });
    const canceled: Order[] = await ex.cancelAllOrders(SYMBOL);
    expect(canceled.map((o) => o.clientOrderId).sort()).toEqual(['ours-all-1', 'ours-all-2']);
    expect(await ex.fetchOpenOrders(SYMBOL)).toEqual([]);
    expect(fake.account.balances()['USDT']?.locked).toBe('0.00000000');
  });

  it('IOC fills what the limit allows and expires the rest; FOK expires unfilled; post-only would take: -2010', async () => {
    const book = await ex.fetchOrderBook(SYMBOL, 5);
    const [bestAsk, bestQty] = book.asks[0] as [number, number];
    const more = Number((bestQty + 1).toFixed(4));

    const ioc = await ex.createOrder(SYMBOL, 'limit', 'buy', more, bestAsk, {
      timeInForce: 'IOC',
      clientOrderId: 'ours-ioc',
    });
    expect(ioc.status).toBe('expired');
    expect(fx(ioc.filled)).toBe(fx(bestQty));

    const fok = await ex.createOrder(SYMBOL, 'limit', 'buy', more, bestAsk, {
      timeInForce: 'FOK',
      clientOrderId: 'ours-fok',
    });
    expect(fok.status).toBe('expired');
    expect(fok.filled).toBe(0);

    await expect(
      ex.createOrder(SYMBOL, 'limit', 'buy', 1, bestAsk, { postOnly: true, clientOrderId: 'ours-po' }),
    ).rejects.toThrow(OrderImmediatelyFillable);
    expect(fake.account.ordersCreated('ours-po')).toBe(0);
    expect((await ex.fetchMyTrades(SYMBOL)).length).toBe(1);
  });

  it('a stop-loss limit sell waits for its trigger, then fills as a limit order', async () => {
    const last = fake.market(SYMBOL).tape.price[fake.cursor(SYMBOL) - 1] as number;
    const stop = last - 2;
    const order = await ex.createOrder(SYMBOL, 'limit', 'sell', 0.5, stop - 0.5, {
      stopLossPrice: stop,
      clientOrderId: 'ours-stop',
    });
    expect(info(order)['type']).toBe('STOP_LOSS_LIMIT');
    expect(fake.account.orderByClientId('ours-stop')?.working).toBe(false);
    const tape = fake.market(SYMBOL).tape;
    let triggerAt = fake.cursor(SYMBOL);
    while ((tape.price[triggerAt] as number) > stop) triggerAt++;
    while (fake.cursor(SYMBOL) <= triggerAt) {
      expect(fake.account.orderByClientId('ours-stop')?.executedQty).toBe(0n);
      fake.step(1);
    }
    expect(fake.account.orderByClientId('ours-stop')?.working).toBe(true);
    while (fake.account.orderByClientId('ours-stop')?.status !== 'FILLED') expect(fake.step(1)).toBe(1);
    const fetched = await ex.fetchOrder(String(order.id), SYMBOL);
    expect(fetched.status).toBe('closed');
    expect(fetched.average).toBe(stop - 0.5);
    const now = fake.market(SYMBOL).tape.price[fake.cursor(SYMBOL) - 1] as number;
    await expect(
      ex.createOrder(SYMBOL, 'limit', 'sell', 0.5, now, {
        stopLossPrice: now + 1,
        clientOrderId: 'ours-stop-2',
      }),
    ).rejects.toThrow(/Stop price would trigger immediately/);
  });

  it('refuses a second open order with the same client order id (-2010 Duplicate order sent.) but not after it ended', async () => {
    await ex.createOrder(SYMBOL, 'limit', 'buy', 1, 1900, { clientOrderId: 'ours-dup' });
    await expect(
      ex.createOrder(SYMBOL, 'limit', 'buy', 1, 1900, { clientOrderId: 'ours-dup' }),
    ).rejects.toThrow(/Duplicate order sent\./);
    expect(fake.account.ordersCreated('ours-dup')).toBe(1);
    await ex.cancelOrder('', SYMBOL, { origClientOrderId: 'ours-dup' });
    // Binance only keeps client ids unique among open orders: a retry after the end is a new order.
    await ex.createOrder(SYMBOL, 'limit', 'buy', 1, 1900, { clientOrderId: 'ours-dup' });
    expect(fake.account.ordersCreated('ours-dup')).toBe(2);
  });

  it('refuses orders the balance cannot pay (-2010 insufficient balance), leaving balances untouched', async () => {
    await expect(
      ex.createOrder(SYMBOL, 'market', 'sell', 6, undefined, { clientOrderId: 'ours-big-sell' }),
    ).rejects.toThrow(InsufficientFunds);
    await expect(
      ex.createOrder(SYMBOL, 'limit', 'buy', 60, 1990, { clientOrderId: 'ours-big-buy' }),
    ).rejects.toThrow(/insufficient balance/);
    expect(fake.account.balances()['ETH']).toEqual({ free: '5.00000000', locked: '0.00000000' });
    expect(fake.account.balances()['USDT']).toEqual({ free: '100000.00000000', locked: '0.00000000' });
    expect(fake.account.orders()).toEqual([]);
  });

  it('gives every fill a unique trade id and fetchMyTrades pages by fromId', async () => {
    for (let i = 0; i < 3; i++)
      await ex.createOrder(SYMBOL, 'market', 'buy', 0.1, undefined, { clientOrderId: `ours-p-${i}` });
    const all: Trade[] = await ex.fetchMyTrades(SYMBOL);
    expect(all.length).toBe(3);
    expect(new Set(all.map((t) => t.id)).size).toBe(3);
    const later = await ex.fetchMyTrades(SYMBOL, undefined, undefined, { fromId: all[1]?.id });
    expect(later.map((t) => t.id)).toEqual([all[1]?.id, all[2]?.id]);
    expect(UNIT).toBe(fx('0.00000001'));
  });
});
