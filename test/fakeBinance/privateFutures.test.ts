import { InsufficientFunds, InvalidOrder } from 'ccxt';
import type { Exchange } from 'ccxt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { add, div, floorToStep, parseFixed, sub, toNumber, ZERO } from '../../src/core/Fixed.js';
import type { Fixed } from '../../src/core/Fixed.js';
import type { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import {
  futuresClient,
  fx,
  infoDecimal,
  notional,
  signedFetch,
  startFake,
  xrpUsdt,
} from './privateHelpers.js';

const SYMBOL = 'XRP/USDT:USDT';
const TAKER = parseFixed('0.0005');
const MAKER = parseFixed('0.0002');
const E8 = parseFixed('0.00000001');

/** Commission on a notional at `rate`, cut to 8 decimals as Binance books it. */
function commission(value: Fixed, rate: Fixed): Fixed {
  return notional(value, rate);
}

function lastPrice(fake: FakeBinance): Fixed {
  const m = fake.market('XRP/USDT');
  return fx(m.tape.price[m.cursor - 1]);
}

describe('FakeBinance USDT-M futures, through an unmodified ccxt.binanceusdm', () => {
  let fake: FakeBinance;
  let ex: Exchange;

  beforeEach(async () => {
    fake = await startFake([xrpUsdt()], { futuresWallet: '1000' });
    ex = await futuresClient(fake);
  });

  afterEach(async () => {
    await ex?.close();
    await fake?.close();
  });

  it('loads the perpetual, sets leverage and margin type', async () => {
    const market = ex.market(SYMBOL);
    expect([market.type, market.linear, market.settle, market.id]).toEqual(['swap', true, 'USDT', 'XRPUSDT']);
    const lev = await ex.setLeverage(7, SYMBOL);
    expect((lev as Record<string, unknown>)['leverage']).toBe(7);
    await ex.setMarginMode('isolated', SYMBOL);
    expect(fake.account.positions()['XRPUSDT']).toMatchObject({ leverage: 7, marginType: 'isolated' });
    const res = await signedFetch(fake, 'POST', '/fapi/v1/marginType', {
      symbol: 'XRPUSDT',
      marginType: 'ISOLATED',
    });
    expect(res).toEqual({ status: 400, body: { code: -4046, msg: 'No need to change margin type.' } });
    const bad = await signedFetch(fake, 'POST', '/fapi/v1/leverage', { symbol: 'XRPUSDT', leverage: '126' });
    expect((bad.body as { code: number }).code).toBe(-4028);
  });

  it('opens a long with a market order: entry price, unrealized PnL at the mark, wallet minus commission', async () => {
    await ex.setLeverage(10, SYMBOL);
    const book = await signedBook(fake);
    const order = await ex.createOrder(SYMBOL, 'market', 'buy', 100, undefined, {
      clientOrderId: 'ours-f-1',
    });
    expect(order.clientOrderId).toBe('ours-f-1');
    expect(order.status).toBe('closed');
    // The fills walk the book's asks.
    const fills = walk(book.asks, fx('100'));
    const cost = fills.reduce((s, [p, q]) => add(s, notional(q, p)), ZERO);
    const fees = fills.reduce((s, [p, q]) => add(s, commission(notional(q, p), TAKER)), ZERO);
    expect(fx(order.cost)).toBe(cost);

    let [pos] = await ex.fetchPositions([SYMBOL]);
    expect(pos?.side).toBe('long');
    expect(pos?.contracts).toBe(100);
    const entry = floor8(div(cost, fx('100')));
    expect(fx(pos?.entryPrice)).toBe(entry);
    expect(fx(pos?.unrealizedPnl)).toBe(sub(notional(fx('100'), lastPrice(fake)), cost));

    // The mark follows the replay.
    fake.step(5);
    [pos] = await ex.fetchPositions([SYMBOL]);
    expect(fx(pos?.markPrice)).toBe(lastPrice(fake));
    expect(fx(pos?.unrealizedPnl)).toBe(sub(notional(fx('100'), lastPrice(fake)), cost));
    const v2 = await ex.fetchPositions([SYMBOL], { useV2: true });
    expect(v2[0]?.leverage).toBe(10);

    const balance = await ex.fetchBalance();
    expect(fx(infoDecimal(balance, 'totalWalletBalance'))).toBe(sub(fx('1000'), fees));
    // ccxt's total is the margin balance: wallet plus unrealized PnL.
    expect(fx(balance['USDT']?.total ?? undefined)).toBe(add(sub(fx('1000'), fees), fx(pos?.unrealizedPnl)));
    expect(fake.account.futuresWallet()).toBe(formatted(sub(fx('1000'), fees)));
  });

  it('closes with reduce-only (shrunk to the position), realizing PnL exactly; reduce-only when flat: -2022', async () => {
    const open = await ex.createOrder(SYMBOL, 'market', 'buy', 100, undefined, {
      clientOrderId: 'ours-f-open',
    });
    fake.step(7);
    const book = await signedBook(fake);
    const close = await ex.createOrder(SYMBOL, 'market', 'sell', 150, undefined, {
      reduceOnly: true,
      clientOrderId: 'ours-f-close',
    });
    expect(close.amount).toBe(100);
    const exits = walk(book.bids, fx('100'));
    const exitValue = exits.reduce((s, [p, q]) => add(s, notional(q, p)), ZERO);
    const entryCost = fx(open.cost);
    const trades = await ex.fetchMyTrades(SYMBOL);
    const realized = trades.reduce((s, t) => add(s, fx(infoDecimal(t, 'realizedPnl'))), ZERO);
    expect(realized).toBe(sub(exitValue, entryCost));
    const fees = trades.reduce((s, t) => add(s, fx(t.fee?.cost)), ZERO);
    expect(fake.account.futuresWallet()).toBe(formatted(sub(add(fx('1000'), realized), fees)));
    expect(await ex.fetchPositions([SYMBOL])).toEqual([]);
    await expect(
      ex.createOrder(SYMBOL, 'market', 'sell', 10, undefined, {
        reduceOnly: true,
        clientOrderId: 'ours-f-ro',
      }),
    ).rejects.toThrow(InvalidOrder);
    expect(fake.account.ordersCreated('ours-f-ro')).toBe(0);
  });

  it('rests a short limit order, fills it as maker when the replay reaches it, flips nothing else', async () => {
    const tape = fake.market('XRP/USDT').tape;
    let high = ZERO;
    for (let i = fake.cursor('XRP/USDT'); i < fake.cursor('XRP/USDT') + 30; i++)
      if (fx(tape.price[i]) > high) high = fx(tape.price[i]);
    const order = await ex.createOrder(SYMBOL, 'limit', 'sell', 50, toNumber(high), {
      clientOrderId: 'ours-f-lmt',
    });
    expect(order.status).toBe('open');
    expect((await ex.fetchOpenOrders(SYMBOL)).map((o) => o.clientOrderId)).toEqual(['ours-f-lmt']);
    while (fake.account.orderByClientId('ours-f-lmt')?.status !== 'FILLED') expect(fake.step(1)).toBe(1);
    const [pos] = await ex.fetchPositions([SYMBOL]);
    expect(pos?.side).toBe('short');
    expect(fx(pos?.entryPrice)).toBe(high);
    const trades = await ex.fetchMyTrades(SYMBOL);
    expect(trades.every((t) => t.takerOrMaker === 'maker')).toBe(true);
    const fees = trades.reduce((s, t) => add(s, fx(t.fee?.cost)), ZERO);
    expect(fees).toBe(commission(notional(fx('50'), high), MAKER));
    expect(fx(pos?.unrealizedPnl)).toBe(sub(notional(fx('50'), high), notional(fx('50'), lastPrice(fake))));
  });

  it('cancels by id and by client id; refuses tiny notional (-4164), no margin (-2019), duplicate client id (-4116)', async () => {
    const a = await ex.createOrder(SYMBOL, 'limit', 'buy', 10, 1.0, { clientOrderId: 'ours-f-c1' });
    await ex.createOrder(SYMBOL, 'limit', 'buy', 10, 1.0, { clientOrderId: 'ours-f-c2' });
    await expect(
      ex.createOrder(SYMBOL, 'limit', 'buy', 10, 1.0, { clientOrderId: 'ours-f-c2' }),
    ).rejects.toThrow(/ClientOrderId is duplicated|-4116/);
    expect((await ex.cancelOrder(String(a.id), SYMBOL)).status).toBe('canceled');
    const byClient = await ex.cancelOrder('', SYMBOL, { origClientOrderId: 'ours-f-c2' });
    expect(byClient.clientOrderId).toBe('ours-f-c2');
    await expect(ex.cancelOrder(String(a.id), SYMBOL)).rejects.toThrow(/Unknown order sent/);
    await expect(
      ex.createOrder(SYMBOL, 'limit', 'buy', 1, 1.0, { clientOrderId: 'ours-f-tiny' }),
    ).rejects.toThrow(InvalidOrder);
    // 1000 USDT at 20x holds 20000 USDT of XRP at most.
    await expect(
      ex.createOrder(SYMBOL, 'market', 'buy', 20000, undefined, { clientOrderId: 'ours-f-huge' }),
    ).rejects.toThrow(InsufficientFunds);
    const raw = await signedFetch(fake, 'POST', '/fapi/v1/order', {
      symbol: 'XRPUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '1',
    });
    expect(raw.body).toEqual({
      code: -4164,
      msg: "Order's notional must be no smaller than 5 (unless you choose reduce only).",
    });
    expect(fake.account.orders('futures').map((o) => o.status)).toEqual(['CANCELED', 'CANCELED']);
    expect(fake.account.futuresWallet()).toBe('1000.00000000');
  });

  it('keeps a short position and a flip exact: sell 30, buy 50 leaves long 20 at the flip price', async () => {
    await ex.createOrder(SYMBOL, 'market', 'sell', 30, undefined, { clientOrderId: 'ours-flip-1' });
    fake.step(3);
    await ex.createOrder(SYMBOL, 'market', 'buy', 50, undefined, { clientOrderId: 'ours-flip-2' });
    const trades = await ex.fetchMyTrades(SYMBOL);
    const buys = trades.filter((t) => t.side === 'buy');
    // Every buy fill of the flip order here happens at one level (50 XRP fits the best ask).
    expect(new Set(buys.map((t) => t.price)).size).toBe(1);
    const [pos] = await ex.fetchPositions([SYMBOL]);
    expect(pos?.side).toBe('long');
    expect(pos?.contracts).toBe(20);
    expect(fx(pos?.entryPrice)).toBe(fx(buys[0]?.price));
    const sells = trades.filter((t) => t.side === 'sell');
    const shortCost = sells.reduce((s, t) => add(s, notional(fx(t.amount), fx(t.price))), ZERO);
    const realized = sub(shortCost, notional(fx('30'), fx(buys[0]?.price)));
    expect(trades.reduce((s, t) => add(s, fx(infoDecimal(t, 'realizedPnl'))), ZERO)).toBe(realized);
  });
});

/** The public book the fake shows (spot depth: the futures market replays the same tape). */
async function signedBook(fake: FakeBinance): Promise<{ bids: [Fixed, Fixed][]; asks: [Fixed, Fixed][] }> {
  const res = await fetch(`${fake.restUrl}/api/v3/depth?symbol=XRPUSDT&limit=100`);
  const body = (await res.json()) as { bids: [string, string][]; asks: [string, string][] };
  const conv = (rows: [string, string][]): [Fixed, Fixed][] => rows.map(([p, q]) => [fx(p), fx(q)]);
  return { bids: conv(body.bids), asks: conv(body.asks) };
}

/** The (price, qty) fills taking `qty` from `levels`. */
function walk(levels: [Fixed, Fixed][], qty: Fixed): [Fixed, Fixed][] {
  const out: [Fixed, Fixed][] = [];
  let left = qty;
  for (const [p, q] of levels) {
    if (left <= ZERO) break;
    const take = q < left ? q : left;
    out.push([p, take]);
    left = sub(left, take);
  }
  return out;
}

function floor8(x: Fixed): Fixed {
  return floorToStep(x, E8);
}

function formatted(x: Fixed): string {
  const units = x / 100_000_000n;
  const neg_ = units < 0n;
  const abs = neg_ ? -units : units;
  return `${neg_ ? '-' : ''}${abs / 100_000_000n}.${(abs % 100_000_000n).toString().padStart(8, '0')}`;
}
