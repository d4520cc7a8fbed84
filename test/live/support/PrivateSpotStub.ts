/**
 * A minimal private Binance spot API on a running FakeBinance, for the live-trading tests
 * until the fake's own matching engine (test/support/fakeBinance/OrderMatcher, in progress)
 * serves these routes. It speaks exactly the REST shapes ccxt's binance reads:
 * POST/GET/DELETE /api/v3/order, GET /api/v3/openOrders, /api/v3/myTrades, /api/v3/account.
 *
 * Matching: a MARKET order fills at once at the last replayed price; a LIMIT order rests and
 * fills as maker, whole, at its price when a replayed trade prints at or through it.
 * Amounts are integers of 1e-8 (Binance's precision), commission 0.1 % of the quote amount.
 *
 * Faults beyond FakeBinance.faults (which refuse a request before it is processed):
 * `loseAckNext(n)` processes the next n orders and then answers 503, as a gateway timing out
 * after the matching engine took the order does — the case a blind retry would duplicate.
 */
import type { FakeBinance } from '../../support/fakeBinance/FakeBinance.js';
import { BinanceError } from '../../support/fakeBinance/RestApi.js';
import type { RestRequest } from '../../support/fakeBinance/RestApi.js';

const U = 100_000_000n;

export interface StubOrder {
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly type: 'MARKET' | 'LIMIT';
  readonly qty: bigint;
  readonly price: bigint;
  readonly time: number;
  status: 'NEW' | 'FILLED' | 'CANCELED';
  executed: bigint;
  quote: bigint;
}

export interface StubTrade {
  readonly id: number;
  readonly orderId: number;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly qty: bigint;
  readonly price: bigint;
  readonly quote: bigint;
  readonly commission: bigint;
  readonly commissionAsset: string;
  readonly maker: boolean;
  readonly time: number;
}

export function units(text: string): bigint {
  const [i = '0', f = ''] = text.split('.');
  const neg = i.startsWith('-');
  const v = BigInt(i.replace('-', '')) * U + BigInt((f + '00000000').slice(0, 8));
  return neg ? -v : v;
}

export function fmt(v: bigint): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  return `${neg ? '-' : ''}${a / U}.${(a % U).toString().padStart(8, '0')}`;
}

/** The private side: orders, trades and balances of one account. */
export class PrivateSpotStub {
  readonly orders: StubOrder[] = [];
  readonly trades: StubTrade[] = [];
  readonly balances = new Map<string, bigint>();
  /** How many create requests the exchange processed per client order id (duplicates show as >1). */
  readonly creates = new Map<string, number>();
  private nextOrderId = 1000;
  private nextTradeId = 5000;
  private lostAcks = 0;
  /** Called when an order request arrives (`processed` false) and once it is booked (true). */
  onCreate: ((processed: boolean, clientOrderId: string) => void) | undefined;

  constructor(
    private readonly fake: FakeBinance,
    private readonly symbols: readonly string[],
    initial: Readonly<Record<string, string>>,
  ) {
    for (const [asset, amount] of Object.entries(initial)) this.balances.set(asset, units(amount));
    const r = fake.rest;
    r.route('POST', '/api/v3/order', (q) => this.create(q), { private: true });
    r.route('GET', '/api/v3/order', (q) => this.payload(this.find(q)), { private: true });
    r.route('DELETE', '/api/v3/order', (q) => this.cancel(q), { private: true });
    r.route(
      'GET',
      '/api/v3/openOrders',
      () => this.orders.filter((o) => o.status === 'NEW').map((o) => this.payload(o)),
      { private: true },
    );
    r.route('GET', '/api/v3/myTrades', (q) => this.myTrades(q), { private: true });
    r.route('GET', '/api/v3/account', () => this.account(), { private: true });
    fake.onTrade((m, i) => this.onTape(m.symbol, units(String(m.tape.price[i])), i));
  }

  loseAckNext(n: number): void {
    this.lostAcks = n;
  }

  /** Orders placed more than once under one client order id (must stay empty). */
  duplicates(): string[] {
    return [...this.creates].filter(([, n]) => n > 1).map(([id]) => id);
  }

  balance(asset: string): bigint {
    return this.balances.get(asset) ?? 0n;
  }

  private market(id: string): { symbol: string; base: string; quote: string; last: bigint } {
    for (const sym of this.symbols) {
      try {
        const m = this.fake.market(sym);
        if (m.id !== id) continue;
        const i = m.cursor - 1;
        const price = i >= 0 ? m.tape.price[i] : m.tape.price[0];
        return { symbol: sym, base: m.base, quote: m.quote, last: units(String(price)) };
      } catch {
        continue;
      }
    }
    throw new BinanceError(400, -1121, 'Invalid symbol.');
  }

  private create(q: RestRequest): unknown {
    const p = q.params;
    const symbol = p.get('symbol') ?? '';
    const m = this.market(symbol);
    const clientOrderId = p.get('newClientOrderId') ?? `auto${this.nextOrderId}`;
    this.onCreate?.(false, clientOrderId);
    if (this.orders.some((o) => o.clientOrderId === clientOrderId && o.status === 'NEW'))
      throw new BinanceError(400, -2010, 'Duplicate order sent.');
    this.creates.set(clientOrderId, (this.creates.get(clientOrderId) ?? 0) + 1);
    const type = p.get('type') === 'LIMIT' ? 'LIMIT' : 'MARKET';
    const order: StubOrder = {
      orderId: this.nextOrderId++,
      clientOrderId,
      symbol,
      side: p.get('side') === 'SELL' ? 'SELL' : 'BUY',
      type,
      qty: units(p.get('quantity') ?? '0'),
      price: type === 'LIMIT' ? units(p.get('price') ?? '0') : 0n,
      time: this.fake.now(),
      status: 'NEW',
      executed: 0n,
      quote: 0n,
    };
    const cost = ((order.type === 'LIMIT' ? order.price : m.last) * order.qty) / U;
    if (order.side === 'BUY' && this.balance(m.quote) < cost)
      throw new BinanceError(400, -2010, 'Account has insufficient balance for requested action.');
    if (order.side === 'SELL' && this.balance(m.base) < order.qty)
      throw new BinanceError(400, -2010, 'Account has insufficient balance for requested action.');
    this.orders.push(order);
    const fills: StubTrade[] = [];
    if (order.type === 'MARKET') fills.push(this.fill(order, m.last, false));
    this.onCreate?.(true, clientOrderId);
    if (this.lostAcks > 0) {
      this.lostAcks--;
      throw new BinanceError(
        503,
        -1007,
        'Timeout waiting for response from backend server. Send status unknown; execution status unknown.',
      );
    }
    return {
      ...this.payload(order),
      fills: fills.map((f) => ({
        price: fmt(f.price),
        qty: fmt(f.qty),
        commission: fmt(f.commission),
        commissionAsset: f.commissionAsset,
        tradeId: f.id,
      })),
    };
  }

  private fill(o: StubOrder, price: bigint, maker: boolean): StubTrade {
    const m = this.market(o.symbol);
    const quote = (o.qty * price) / U;
    const commission = quote / 1000n;
    const t: StubTrade = {
      id: this.nextTradeId++,
      orderId: o.orderId,
      symbol: o.symbol,
      side: o.side,
      qty: o.qty,
      price,
      quote,
      commission,
      commissionAsset: m.quote,
      maker,
      time: this.fake.now(),
    };
    this.trades.push(t);
    o.executed = o.qty;
    o.quote = quote;
    o.status = 'FILLED';
    const sign = o.side === 'BUY' ? 1n : -1n;
    this.balances.set(m.base, this.balance(m.base) + sign * o.qty);
    this.balances.set(m.quote, this.balance(m.quote) - sign * quote - commission);
    return t;
  }

  private onTape(symbol: string, price: bigint, _i: number): void {
    for (const o of this.orders) {
      if (o.status !== 'NEW' || o.type !== 'LIMIT') continue;
      if (this.market(o.symbol).symbol !== symbol) continue;
      if (o.side === 'BUY' ? price <= o.price : price >= o.price) this.fill(o, o.price, true);
    }
  }

  private find(q: RestRequest): StubOrder {
    const cid = q.params.get('origClientOrderId');
    const oid = q.params.get('orderId');
    const o = this.orders.find((x) =>
      cid !== null && cid !== '' ? x.clientOrderId === cid : String(x.orderId) === oid,
    );
    if (!o) throw new BinanceError(400, -2013, 'Order does not exist.');
    return o;
  }

  private cancel(q: RestRequest): unknown {
    let o: StubOrder;
    try {
      o = this.find(q);
    } catch {
      throw new BinanceError(400, -2011, 'Unknown order sent.');
    }
    if (o.status !== 'NEW') throw new BinanceError(400, -2011, 'Unknown order sent.');
    o.status = 'CANCELED';
    return this.payload(o);
  }

  private myTrades(q: RestRequest): unknown {
    const sym = q.params.get('symbol');
    const oid = q.params.get('orderId');
    return this.trades
      .filter((t) => t.symbol === sym && (oid === null || String(t.orderId) === oid))
      .map((t) => ({
        symbol: t.symbol,
        id: t.id,
        orderId: t.orderId,
        orderListId: -1,
        price: fmt(t.price),
        qty: fmt(t.qty),
        quoteQty: fmt(t.quote),
        commission: fmt(t.commission),
        commissionAsset: t.commissionAsset,
        time: t.time,
        isBuyer: t.side === 'BUY',
        isMaker: t.maker,
        isBestMatch: true,
      }));
  }

  private account(): unknown {
    return {
      makerCommission: 10,
      takerCommission: 10,
      canTrade: true,
      canWithdraw: true,
      canDeposit: true,
      updateTime: this.fake.now(),
      accountType: 'SPOT',
      balances: [...this.balances].map(([asset, v]) => ({ asset, free: fmt(v), locked: '0.00000000' })),
      permissions: ['SPOT'],
    };
  }

  private payload(o: StubOrder): Record<string, unknown> {
    return {
      symbol: o.symbol,
      orderId: o.orderId,
      orderListId: -1,
      clientOrderId: o.clientOrderId,
      price: fmt(o.price),
      origQty: fmt(o.qty),
      executedQty: fmt(o.executed),
      cummulativeQuoteQty: fmt(o.quote),
      status: o.status,
      timeInForce: 'GTC',
      type: o.type,
      side: o.side,
      time: o.time,
      transactTime: o.time,
      updateTime: o.time,
      isWorking: true,
      workingTime: o.time,
      origQuoteOrderQty: '0.00000000',
      selfTradePreventionMode: 'NONE',
    };
  }
}
