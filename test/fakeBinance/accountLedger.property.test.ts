import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FakeAccount } from '../support/fakeBinance/FakeAccount.js';
import { MarketReplay } from '../support/fakeBinance/MarketReplay.js';
import { isOpen } from '../support/fakeBinance/orders.js';
import { parseOrderRequest } from '../support/fakeBinance/parseOrderRequest.js';
import { BinanceError } from '../support/fakeBinance/RestApi.js';
import { UserStreams } from '../support/fakeBinance/UserStreams.js';
import { zigZagTape } from './privateHelpers.js';

const E8 = 100_000_000n;

type Command =
  | {
      kind: 'order';
      venue: 'spot' | 'futures';
      side: 'BUY' | 'SELL';
      type: 'MARKET' | 'LIMIT';
      tif: string;
      qtyLots: number;
      priceTicks: number;
      reduceOnly: boolean;
    }
  | { kind: 'cancel'; venue: 'spot' | 'futures'; pick: number }
  | { kind: 'step'; n: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    kind: fc.constant('order' as const),
    venue: fc.constantFrom('spot' as const, 'futures' as const),
    side: fc.constantFrom('BUY' as const, 'SELL' as const),
    type: fc.constantFrom('MARKET' as const, 'LIMIT' as const),
    tif: fc.constantFrom('GTC', 'IOC', 'FOK'),
    qtyLots: fc.integer({ min: 1, max: 4000 }),
    priceTicks: fc.integer({ min: -40, max: 40 }),
    reduceOnly: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('cancel' as const),
    venue: fc.constantFrom('spot' as const, 'futures' as const),
    pick: fc.nat(),
  }),
  fc.record({ kind: fc.constant('step' as const), n: fc.integer({ min: 1, max: 8 }) }),
);

/** A fresh account on one market traded on both venues, driven without a server. */
function setup(): { account: FakeAccount; market: MarketReplay } {
  const trades = zigZagTape(600, 1.2, 0.0001).map((t) => ({ ...t, amount: t.amount * 400 }));
  const market = new MarketReplay(
    {
      symbol: 'XRP/USDT',
      trades,
      tickSize: '0.0001',
      lotSize: '0.1',
      minNotional: '1',
      startTime: trades[30]?.ts,
    },
    50,
  );
  const byId = (id: string): MarketReplay | undefined => (id === market.id ? market : undefined);
  const account = new FakeAccount(
    { balances: { XRP: '500', USDT: '800' }, futuresWallet: '300' },
    byId,
    byId,
    new UserStreams(() => 0),
    () => market.now(),
  );
  return { account, market };
}

function apply(account: FakeAccount, market: MarketReplay, c: Command): void {
  if (c.kind === 'step') {
    for (let k = 0; k < c.n; k++) {
      const i = market.advance();
      if (i !== undefined) account.onTrade(market, i);
    }
    return;
  }
  const matcher = c.venue === 'spot' ? account.spot : account.futures;
  if (c.kind === 'cancel') {
    const open = matcher.open();
    if (open.length > 0) matcher.cancel(open[c.pick % open.length], market.now());
    return;
  }
  const last = market.tape.price[Math.max(0, market.cursor - 1)] as number;
  const params = new URLSearchParams({
    symbol: market.id,
    side: c.side,
    type: c.type,
    quantity: (c.qtyLots / 10).toFixed(1),
  });
  if (c.type === 'LIMIT') {
    params.set('timeInForce', c.tif);
    params.set('price', (last + c.priceTicks * 0.0001).toFixed(4));
  }
  if (c.venue === 'futures' && c.reduceOnly) params.set('reduceOnly', 'true');
  try {
    const { req } = parseOrderRequest(
      c.venue,
      params,
      (id) => (id === market.id ? market : undefined),
      () => account.newClientOrderId(),
    );
    matcher.place(req, market, () => new BinanceError(400, -2010, 'Duplicate order sent.'));
  } catch (e) {
    // Refusals (balance, margin, filters) are part of the game; anything else is a bug.
    if (!(e instanceof BinanceError)) throw e;
  }
}

function checkSpot(account: FakeAccount): void {
  const fills = account.trades('spot');
  let xrp = 500n * E8;
  let usdt = 800n * E8;
  for (const f of fills) {
    if (f.side === 'BUY') {
      xrp += f.qty - f.commission;
      usdt -= f.quoteQty;
    } else {
      xrp -= f.qty;
      usdt += f.quoteQty - f.commission;
    }
  }
  const bal = account.spotLedger;
  const x = bal.balance('XRP');
  const u = bal.balance('USDT');
  expect(x.free + x.locked).toBe(xrp);
  expect(u.free + u.locked).toBe(usdt);
  for (const b of [x, u]) expect(b.free >= 0n && b.locked >= 0n).toBe(true);
  const open = account.spot.open();
  expect(x.locked).toBe(open.filter((o) => o.side === 'SELL').reduce((s, o) => s + o.locked, 0n));
  expect(u.locked).toBe(open.filter((o) => o.side === 'BUY').reduce((s, o) => s + o.locked, 0n));
}

function checkFutures(account: FakeAccount, market: MarketReplay): void {
  const fills = account.trades('futures');
  const ledger = account.futuresLedger;
  const wallet = fills.reduce((s, f) => s + f.realizedPnl - f.commission, 300n * E8);
  expect(ledger.wallet).toBe(wallet);
  const p = ledger.position(market.id);
  expect(p.amt).toBe(fills.reduce((s, f) => s + (f.side === 'BUY' ? f.qty : -f.qty), 0n));
  // Realized + unrealized = the cash flows of every fill valued at the mark, up to one unit of
  // rounding per fill (each notional is cut to 1e-8).
  const mark = ledger.markPrice(market.id);
  const cash = fills.reduce((s, f) => s + (f.side === 'BUY' ? -f.quoteQty : f.quoteQty), 0n);
  const total = fills.reduce((s, f) => s + f.realizedPnl, 0n) + ledger.unrealized(market.id, p);
  const diff = total - (cash + (p.amt * mark) / E8);
  expect(diff <= BigInt(fills.length + 1) && diff >= -BigInt(fills.length + 1)).toBe(true);
  if (p.amt === 0n) expect(p.entryNotional).toBe(0n);
}

function checkOrders(account: FakeAccount): void {
  const fills = account.trades();
  const ids = fills.map((f) => f.tradeId);
  expect(new Set(ids).size).toBe(ids.length);
  for (const o of account.orders()) {
    const mine = fills.filter((f) => f.orderId === o.orderId && f.venue === o.venue);
    expect(o.executedQty).toBe(mine.reduce((s, f) => s + f.qty, 0n));
    expect(o.executedQty <= o.origQty).toBe(true);
    expect(o.status === 'FILLED').toBe(o.executedQty === o.origQty && o.origQty > 0n);
    if (!isOpen(o)) expect(o.locked).toBe(0n);
  }
}

describe('FakeAccount ledgers (property)', () => {
  it('keep balances conserved, locks equal to open orders, positions and wallet equal to their fills', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 40 }), (commands) => {
        const { account, market } = setup();
        for (const c of commands) {
          apply(account, market, c);
          checkSpot(account);
          checkFutures(account, market);
          checkOrders(account);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('the generated scenarios do exercise fills on both venues, resting orders and refusals', () => {
    let spotFills = 0;
    let futuresFills = 0;
    let rested = 0;
    for (const commands of fc.sample(fc.array(command, { minLength: 20, maxLength: 40 }), {
      seed: 7,
      numRuns: 30,
    })) {
      const { account, market } = setup();
      for (const c of commands) apply(account, market, c);
      spotFills += account.trades('spot').length;
      futuresFills += account.trades('futures').length;
      rested += account
        .orders()
        .filter((o) => o.type === 'LIMIT' && o.executedQty > 0n && o.status !== 'EXPIRED').length;
    }
    expect(spotFills).toBeGreaterThan(20);
    expect(futuresFills).toBeGreaterThan(20);
    expect(rested).toBeGreaterThan(5);
  });
});
