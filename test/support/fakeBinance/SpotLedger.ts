/**
 * The spot balances of the fake's account: free and locked per asset, exact in units of 1e-8.
 * An order locks what it may spend (a buy: quote at its limit price, or the cost of its fills
 * on arrival for a MARKET buy; a sell: the base quantity), each fill spends from the lock and
 * credits the other asset minus the commission, and an order that ends gives back what it
 * still locks. The commission is taken from the asset received, as on Binance without BNB
 * fee discounts.
 */
import { mulUnits } from './decimal.js';
import type { MarketReplay } from './MarketReplay.js';
import type { Booking, Ledger, PlannedFill } from './OrderMatcher.js';
import type { FakeOrder } from './orders.js';
import { BinanceError } from './RestApi.js';

/** One asset's balance. */
export interface SpotBalance {
  free: bigint;
  locked: bigint;
}

const insufficient = (): BinanceError =>
  new BinanceError(400, -2010, 'Account has insufficient balance for requested action.');

/** Spot balances plus the commission rates, in basis points of the amount received. */
export class SpotLedger implements Ledger {
  readonly balances = new Map<string, SpotBalance>();
  /** Assets changed since the last takeChanged(). */
  private changed = new Set<string>();

  constructor(
    initial: Readonly<Record<string, bigint>>,
    readonly makerBps: bigint,
    readonly takerBps: bigint,
    private readonly assetsOf: (symbol: string) => { base: string; quote: string },
  ) {
    for (const [asset, free] of Object.entries(initial)) this.balances.set(asset, { free, locked: 0n });
  }

  /** The balance of `asset` (zero if never held). */
  balance(asset: string): SpotBalance {
    let b = this.balances.get(asset);
    if (b === undefined) this.balances.set(asset, (b = { free: 0n, locked: 0n }));
    return b;
  }

  /** The assets changed since the last call (what outboundAccountPosition reports). */
  takeChanged(): string[] {
    const out = [...this.changed];
    this.changed = new Set();
    return out;
  }

  prepare(order: FakeOrder): void {
    void order;
  }

  admit(order: FakeOrder, planned: readonly PlannedFill[], market: MarketReplay): void {
    const { base, quote } = this.assetsOf(order.symbol);
    let need: bigint;
    if (order.side === 'SELL') need = order.origQty;
    else if (order.type === 'MARKET') need = planned.reduce((s, f) => s + mulUnits(f.qty, f.price), 0n);
    else need = mulUnits(order.origQty, order.price);
    const asset = order.side === 'BUY' ? quote : base;
    const b = this.balance(asset);
    if (b.free < need) throw insufficient();
    b.free -= need;
    b.locked += need;
    order.locked = need;
    this.changed.add(asset);
    void market;
  }

  settle(order: FakeOrder, fill: PlannedFill, maker: boolean): Booking {
    const { base, quote } = this.assetsOf(order.symbol);
    const quoteQty = mulUnits(fill.qty, fill.price);
    const bps = maker ? this.makerBps : this.takerBps;
    const [spent, spentAsset, got, gotAsset] =
      order.side === 'BUY' ? [quoteQty, quote, fill.qty, base] : [fill.qty, base, quoteQty, quote];
    const commission = (got * bps) / 10_000n;
    const from = this.balance(spentAsset);
    from.locked -= spent;
    order.locked -= spent;
    this.balance(gotAsset).free += got - commission;
    this.changed.add(spentAsset).add(gotAsset);
    return { commission, commissionAsset: gotAsset, realizedPnl: 0n };
  }

  release(order: FakeOrder): void {
    if (order.locked === 0n) return;
    const { base, quote } = this.assetsOf(order.symbol);
    const asset = order.side === 'BUY' ? quote : base;
    const b = this.balance(asset);
    b.locked -= order.locked;
    b.free += order.locked;
    order.locked = 0n;
    this.changed.add(asset);
  }
}
