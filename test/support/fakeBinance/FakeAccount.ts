/**
 * The one trading account behind every API key of the fake: spot balances, a USDT-M futures
 * wallet with positions, the orders and fills of both venues, and the user-data events their
 * changes publish. Tests read it through `fake.account` (balances and positions as exact
 * decimal strings, orders by client order id, fills, how often a client order id was used).
 */
import { fmtUnits, parseUnits } from './decimal.js';
import { FuturesLedger } from './FuturesLedger.js';
import { accountUpdate, orderTradeUpdate } from './futuresPayloads.js';
import type { MarketReplay } from './MarketReplay.js';
import { OrderMatcher } from './OrderMatcher.js';
import type { ExecType, FakeFill, FakeOrder, Venue } from './orders.js';
import { executionReport, outboundAccountPosition } from './spotAccountPayloads.js';
import { SpotLedger } from './SpotLedger.js';
import type { SpotBalance } from './SpotLedger.js';
import type { FakeAccountOptions } from './types.js';
import type { UserStreams } from './UserStreams.js';

/** Binance's default spot commission: 0.1 % maker and taker. */
const SPOT_BPS = 10n;
/** Binance's default USDT-M commission: 0.02 % maker, 0.05 % taker. */
const FUTURES_MAKER_BPS = 2n;
const FUTURES_TAKER_BPS = 5n;

/** A position as tests read it. */
export interface PositionView {
  /** Signed size ("-12.50000000" is short). */
  readonly amt: string;
  readonly entryPrice: string;
  readonly leverage: number;
  readonly marginType: 'cross' | 'isolated';
  readonly unrealizedPnl: string;
}

/** The account of one FakeBinance. */
export class FakeAccount {
  readonly spotLedger: SpotLedger;
  readonly futuresLedger: FuturesLedger;
  readonly spot: OrderMatcher;
  readonly futures: OrderMatcher;
  private tradeSeq = 1;
  private clientSeq = 0;
  private readonly orderListeners = new Set<(o: FakeOrder, execType: ExecType, fill?: FakeFill) => void>();

  constructor(
    opts: FakeAccountOptions,
    private readonly spotMarket: (id: string) => MarketReplay | undefined,
    private readonly futuresMarket: (id: string) => MarketReplay | undefined,
    private readonly streams: UserStreams,
    private readonly now: () => number,
  ) {
    const units = (s: string, what: string): bigint => {
      const u = parseUnits(s);
      if (u === undefined) throw new Error(`FakeBinance: ${what} must be a decimal string, got ${s}`);
      return u;
    };
    const balances: Record<string, bigint> = {};
    for (const [asset, amount] of Object.entries(opts.balances ?? {}))
      balances[asset] = units(amount, `balance of ${asset}`);
    const assetsOf = (id: string): { base: string; quote: string } => {
      const m = this.spotMarket(id) ?? this.futuresMarket(id);
      if (m === undefined) throw new Error(`FakeBinance: no market ${id}`);
      return { base: m.base, quote: m.quote };
    };
    const nextTradeId = (): number => this.tradeSeq++;
    this.spotLedger = new SpotLedger(
      balances,
      BigInt(opts.spotMakerBps ?? SPOT_BPS),
      BigInt(opts.spotTakerBps ?? SPOT_BPS),
      assetsOf,
    );
    this.spot = new OrderMatcher(
      'spot',
      this.spotLedger,
      {
        order: (o, x, f) => {
          this.tellOrder(o, x, f);
          this.streams.publishSpot(executionReport(o, x, f, this.now()));
        },
        ledgerChanged: () => {
          const changed = this.spotLedger.takeChanged();
          if (changed.length === 0) return;
          const rows = changed.map((a): [string, SpotBalance] => [a, this.spotLedger.balance(a)]);
          this.streams.publishSpot(outboundAccountPosition(rows, this.now()));
        },
      },
      nextTradeId,
      1,
    );
    this.futuresLedger = new FuturesLedger(
      units(opts.futuresWallet ?? '0', 'futuresWallet'),
      BigInt(opts.futuresMakerBps ?? FUTURES_MAKER_BPS),
      BigInt(opts.futuresTakerBps ?? FUTURES_TAKER_BPS),
      opts.defaultLeverage ?? 20,
      (id) => {
        const m = this.futuresMarket(id);
        if (m === undefined) throw new Error(`FakeBinance: no futures market ${id}`);
        return m;
      },
      () => this.futures.open(),
    );
    this.futures = new OrderMatcher(
      'futures',
      this.futuresLedger,
      {
        order: (o, x, f) => {
          this.tellOrder(o, x, f);
          this.streams.publishFutures(orderTradeUpdate(o, x, f, this.now()));
        },
        ledgerChanged: (_venue, reason) => {
          const changed = this.futuresLedger.takeChanged();
          if (changed.length === 0) return;
          this.streams.publishFutures(accountUpdate(this.futuresLedger, changed, reason, this.now()));
        },
      },
      nextTradeId,
      8_000_000_000,
    );
  }

  /**
   * Calls `listener` on every order change of either venue (execType NEW when the matching
   * engine took the order, TRADE per fill, CANCELED, EXPIRED), synchronously, before the
   * user-data event and the REST answer go out; returns the unsubscribe.
   */
  onOrder(listener: (order: FakeOrder, execType: ExecType, fill?: FakeFill) => void): () => void {
    this.orderListeners.add(listener);
    return () => {
      this.orderListeners.delete(listener);
    };
  }

  private tellOrder(o: FakeOrder, x: ExecType, f: FakeFill | undefined): void {
    for (const listener of this.orderListeners) listener(o, x, f);
  }

  /** A client order id for an order sent without one (Binance makes one up too). */
  newClientOrderId(): string {
    return `fake_${++this.clientSeq}`;
  }

  /** Feeds one replayed trade to the resting orders of both venues. */
  onTrade(market: MarketReplay, index: number): void {
    if (this.spotMarket(market.id) === market) this.spot.onTrade(market, index);
    if (this.futuresMarket(market.id) === market) this.futures.onTrade(market, index);
  }

  /** Spot balances as decimal strings (assets ever held). */
  balances(): Record<string, { free: string; locked: string }> {
    const out: Record<string, { free: string; locked: string }> = {};
    for (const [a, b] of this.spotLedger.balances)
      out[a] = { free: fmtUnits(b.free), locked: fmtUnits(b.locked) };
    return out;
  }

  /** The USDT-M wallet balance. */
  futuresWallet(): string {
    return fmtUnits(this.futuresLedger.wallet);
  }

  /** USDT-M positions by Binance symbol (flat ones included once touched). */
  positions(): Record<string, PositionView> {
    const out: Record<string, PositionView> = {};
    for (const [s, p] of this.futuresLedger.positions) {
      out[s] = {
        amt: fmtUnits(p.amt),
        entryPrice: fmtUnits(this.futuresLedger.entryPrice(p)),
        leverage: p.leverage,
        marginType: p.marginType,
        unrealizedPnl: fmtUnits(this.futuresLedger.unrealized(s, p)),
      };
    }
    return out;
  }

  /** Every order of `venue` (both when omitted), oldest first. */
  orders(venue?: Venue): readonly FakeOrder[] {
    if (venue === 'spot') return this.spot.all;
    if (venue === 'futures') return this.futures.all;
    return [...this.spot.all, ...this.futures.all];
  }

  /** The latest order with this client order id. */
  orderByClientId(clientOrderId: string): FakeOrder | undefined {
    const all = this.orders();
    for (let i = all.length - 1; i >= 0; i--) if (all[i]?.clientOrderId === clientOrderId) return all[i];
    return undefined;
  }

  /** Every fill (trade) of `venue` (both when omitted), oldest first. */
  trades(venue?: Venue): readonly FakeFill[] {
    if (venue === 'spot') return this.spot.fills;
    if (venue === 'futures') return this.futures.fills;
    return [...this.spot.fills, ...this.futures.fills];
  }

  /** How many orders were created with this client order id, both venues (duplicates: > 1). */
  ordersCreated(clientOrderId: string): number {
    return this.spot.createdCount(clientOrderId) + this.futures.createdCount(clientOrderId);
  }
}
