/**
 * A local fake of Binance's public spot API (REST + WebSocket market streams) that replays
 * recorded trades, for tests of everything that talks to Binance through ccxt. ccxt runs
 * unmodified; `configure()` only points its URLs here.
 *
 * One file per concern:
 *   MarketReplay   tape + cursor of one market; klines, tickers ("now" = the cursor)
 *   SyntheticBook  the order book that follows the trades (depth, update ids)
 *   RestApi        HTTP routes, request log, REST faults; publicRoutes registers Binance's
 *                  public endpoints, private ones answer 401 -2015 until a later issue adds them
 *   StreamHub      WebSocket connections, SUBSCRIBE/UNSUBSCRIBE, stream faults, WS-API stub
 *   marketEvents   what each replayed trade publishes
 *   Faults         injected faults; configureCcxt: ccxt URL rewriting and options
 * Private side (installPrivateApi; see FakeAccount, OrderMatcher for the matching rules):
 *   signedRequests         HMAC/timestamp checks; spotTradingRoutes, futuresRoutes: endpoints
 *   SpotLedger/FuturesLedger balances, positions; UserStreams: user-data events, listen keys
 *   RestFaultPlan          latency, dropped responses, 5xx after processing, hangs, bans, chaos
 *
 * Usage:
 *   const fake = await FakeBinance.start({ markets: [{ symbol: 'XRP/ETH', trades }] });
 *   const ex = new ccxt.pro.binance(); await fake.configure(ex);
 *   const pending = ex.watchTrades('XRP/ETH'); await fake.waitForSubscription('xrpeth@trade');
 *   fake.step(1); await pending; ... await ex.close(); await fake.close();
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Exchange } from 'ccxt';
import { configureCcxt } from './configureCcxt.js';
import { forceClose } from './forcedClose.js';
import type { ForcedCloseOptions } from './forcedClose.js';
import { fmtUnits, mulUnits } from './decimal.js';
import { LIQUIDATION_FEE_BPS } from './FuturesLedger.js';
import type { FakeAccount } from './FakeAccount.js';
import type { FundingSchedule, FuturesFunding } from './futuresFunding.js';
import { installPrivateApi } from './installPrivateApi.js';
import type { UserStreams } from './UserStreams.js';
import { Faults } from './Faults.js';
import { MarketReplay } from './MarketReplay.js';
import { publishTradeEvents } from './marketEvents.js';
import { registerPublicRoutes } from './publicRoutes.js';
import { RestApi } from './RestApi.js';
import { StreamHub } from './StreamHub.js';
import type { FakeBinanceOptions, FakeFaults, FakeLogEntry } from './types.js';

export type {
  FakeAccountOptions,
  FakeBinanceOptions,
  FakeFaults,
  FakeLogEntry,
  FakeMarket,
  FakeTrade,
} from './types.js';

/** A running fake Binance on 127.0.0.1. */
export class FakeBinance {
  /** http://127.0.0.1:PORT */
  readonly restUrl: string;
  /** ws://127.0.0.1:PORT */
  readonly wsUrl: string;
  /** Faults to inject into REST and WebSocket traffic. */
  readonly faults: FakeFaults;
  /** The REST route table (for later issues: private endpoints). */
  readonly rest: RestApi;
  /** The WebSocket side (for later issues: user data, WebSocket API methods). */
  readonly streams: StreamHub;
  /** The trading account behind the private API (balances, positions, orders, fills). */
  readonly account: FakeAccount;
  /** User-data subscribers and listen keys. */
  readonly userStreams: UserStreams;
  /** Funding of the perpetuals: income rows and settled rates. */
  readonly funding: FuturesFunding;
  private readonly futuresMarkets: readonly MarketReplay[];
  private readonly entries: FakeLogEntry[] = [];
  private readonly faultState: Faults;
  private readonly markets: readonly MarketReplay[];
  private readonly bySymbol: ReadonlyMap<string, MarketReplay>;
  private readonly tradeListeners = new Set<(market: MarketReplay, index: number) => void>();
  private readonly requestListeners = new Set<(entry: FakeLogEntry) => void>();
  private playTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    markets: readonly MarketReplay[],
    opts: FakeBinanceOptions,
  ) {
    const { port } = server.address() as AddressInfo;
    this.restUrl = `http://127.0.0.1:${port}`;
    this.wsUrl = `ws://127.0.0.1:${port}`;
    this.markets = markets;
    this.bySymbol = new Map(markets.map((m) => [m.symbol, m]));
    const byId = new Map(markets.map((m) => [m.id, m]));
    const streamTarget = {
      dropAll: () => this.streams.dropAll(),
      stall: (ms: number) => this.streams.stall(ms),
      release: () => this.streams.release(),
    };
    this.faultState = new Faults(streamTarget, (s) => this.bySymbol.has(s));
    this.faults = this.faultState;
    this.streams = new StreamHub(this.faultState, (method, path, isPrivate) =>
      this.record('ws', method, path, isPrivate),
    );
    this.streams.apiMethod('ping', () => ({}));
    this.streams.apiMethod('time', () => ({ serverTime: this.now() }));
    this.rest = new RestApi(this.faultState, (method, path, isPrivate) =>
      this.record('http', method, path, isPrivate),
    );
    registerPublicRoutes(this.rest, { markets, byId: (id) => byId.get(id), now: () => this.now() });
    this.futuresMarkets = markets.filter((m, i) => opts.markets[i]?.futures === true);
    const fundingSchedules = new Map<string, FundingSchedule>();
    markets.forEach((m, i) => {
      const f = opts.markets[i]?.futures === true ? opts.markets[i]?.funding : undefined;
      if (f !== undefined) fundingSchedules.set(m.id, f);
    });
    ({
      account: this.account,
      userStreams: this.userStreams,
      funding: this.funding,
    } = installPrivateApi(
      {
        rest: this.rest,
        streams: this.streams,
        faults: this.faultState,
        markets,
        futuresMarkets: this.futuresMarkets,
        now: () => this.now(),
        fundingSchedules,
      },
      opts.account,
    ));
    this.onTrade((m, i) => {
      this.account.onTrade(m, i);
      if (this.futuresMarkets.includes(m)) this.funding.onTrade(m);
    });
    server.on('request', (req, res) => this.rest.handle(req, res));
    server.on('upgrade', (req, socket, head: Buffer) => this.streams.handleUpgrade(req, socket, head));
  }

  /** Starts the server on 127.0.0.1 (port 0 = a free one). */
  static async start(opts: FakeBinanceOptions): Promise<FakeBinance> {
    if (opts.markets.length === 0) throw new Error('FakeBinance: no markets');
    const markets = opts.markets.map((spec) => new MarketReplay(spec, opts.bookLevels ?? 100));
    if (new Set(markets.map((m) => m.id)).size !== markets.length)
      throw new Error('FakeBinance: duplicate market');
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new FakeBinance(server, markets, opts);
  }

  /** The request log: every HTTP request and WebSocket connection/subscription, in order. */
  get log(): readonly FakeLogEntry[] {
    return this.entries;
  }

  /** How many logged requests touched a private endpoint. */
  privateRequestCount(): number {
    return this.entries.filter((e) => e.private).length;
  }

  /**
   * Points a ccxt binance (REST or pro) at this server: every urls.api entry rewritten, options
   * set so no other host is ever contacted, loadHttpProxyAgent() called for ws://.
   */
  configure(exchange: Exchange): Promise<void> {
    return configureCcxt(exchange, this.restUrl, this.wsUrl);
  }

  /**
   * Publishes the next n trades of each market (round-robin, one per market per round) and the
   * kline/ticker/depth updates they cause; returns how many trades moved into history (0 once
   * every tape is exhausted). Trades withheld by skipTrades count too.
   */
  step(n = 1): number {
    let published = 0;
    for (let round = 0; round < n; round++) {
      let any = false;
      for (const m of this.markets) {
        const i = m.advance();
        if (i === undefined) continue;
        any = true;
        published++;
        for (const listener of this.tradeListeners) listener(m, i);
        publishTradeEvents(this.streams, m, i, this.faultState.takeSkip(m.symbol));
      }
      if (!any) break;
    }
    return published;
  }

  /**
   * Calls `listener` for every trade as it moves into history, before its stream messages go
   * out (the hook a matching engine uses to fill resting orders); returns the unsubscribe.
   */
  onTrade(listener: (market: MarketReplay, index: number) => void): () => void {
    this.tradeListeners.add(listener);
    return () => {
      this.tradeListeners.delete(listener);
    };
  }

  /**
   * Points a ccxt binanceusdm (REST or pro) at this server, like configure(), loading the
   * USDT-M perpetuals (markets started with `futures: true`) instead of spot markets.
   */
  async configureFutures(exchange: Exchange): Promise<void> {
    await configureCcxt(exchange, this.restUrl, this.wsUrl);
    const fetchMarkets = exchange.options['fetchMarkets'] as Record<string, unknown>;
    exchange.options['fetchMarkets'] = { ...fetchMarkets, types: ['linear'] };
  }

  /**
   * Calls `listener` with every log entry as the request arrives, before it is processed (a
   * crash test kills its client at that moment: "sent, not yet processed"); returns the
   * unsubscribe.
   */
  onRequest(listener: (entry: FakeLogEntry) => void): () => void {
    this.requestListeners.add(listener);
    return () => {
      this.requestListeners.delete(listener);
    };
  }

  /** Replays `eventsPerSecond` trades per second per market until pause() or the tapes run out. */
  play(eventsPerSecond: number): void {
    if (!(eventsPerSecond > 0))
      throw new Error(`FakeBinance: eventsPerSecond must be > 0, got ${eventsPerSecond}`);
    this.pause();
    const started = performance.now();
    let done = 0;
    this.playTimer = setInterval(
      () => {
        const due = Math.floor(((performance.now() - started) * eventsPerSecond) / 1000);
        if (due > done) {
          this.step(due - done);
          done = due;
        }
        if (this.markets.every((m) => m.exhausted)) this.pause();
      },
      Math.max(1, Math.min(50, Math.floor(1000 / eventsPerSecond))),
    );
  }

  /**
   * Settles funding of the perpetual `symbol` (unified 'XRP/USDT' or its Binance id) now, at
   * `rate` (decimal string, '-0.0003' pays shorts): the open position pays or receives notional
   * at mark × rate into the wallet, with a FUNDING_FEE income row (returned; undefined when flat).
   */
  settleFunding(symbol: string, rate: string): { income: string; tranId: number; time: number } | undefined {
    const m =
      this.bySymbol.get(symbol.replace(/:.*$/, '')) ?? this.futuresMarkets.find((f) => f.id === symbol);
    if (m === undefined || !this.futuresMarkets.includes(m))
      throw new Error(`FakeBinance: no perpetual ${symbol}`);
    const row = this.funding.settle(m.id, rate, this.now());
    return row === undefined
      ? undefined
      : { income: fmtUnits(row.income), tranId: row.tranId, time: row.time };
  }

  /**
   * Has the exchange close the position of the perpetual `symbol` (unified 'XRP/USDT' or its
   * Binance id) as Binance does on a liquidation (or, with `adl`, an auto-deleveraging): its
   * open orders expire, an "autoclose-…" order fills at `trades` (default: the whole position
   * at the last price) with the clearance fee, and the user-data stream and REST show it.
   */
  liquidate(
    symbol: string,
    opts: ForcedCloseOptions = {},
  ): {
    orderId: number;
    clientOrderId: string;
    tradeIds: number[];
    /** With `clearanceAsIncome`: the INSURANCE_CLEAR income row charged (fee as a decimal). */
    clearance?: { fee: string; tranId: number; time: number };
  } {
    const m = this.perpetual(symbol);
    const order = forceClose(this.account, m, opts);
    const fills = this.account.futures.fills.filter((f) => f.orderId === order.orderId);
    const tradeIds = fills.map((f) => f.tradeId);
    const done = { orderId: order.orderId, clientOrderId: order.clientOrderId, tradeIds };
    if (opts.clearanceAsIncome !== true || opts.adl === true) return done;
    const notional = fills.reduce((s, f) => s + mulUnits(f.qty, f.price), 0n);
    const time = fills.reduce((t, f) => Math.max(t, f.time), order.time);
    const row = this.funding.clearance(m.id, (notional * LIQUIDATION_FEE_BPS) / 10_000n, time);
    return { ...done, clearance: { fee: fmtUnits(-row.income), tranId: row.tranId, time: row.time } };
  }

  private perpetual(symbol: string): MarketReplay {
    const m =
      this.bySymbol.get(symbol.replace(/:.*$/, '')) ?? this.futuresMarkets.find((f) => f.id === symbol);
    if (m === undefined || !this.futuresMarkets.includes(m))
      throw new Error(`FakeBinance: no perpetual ${symbol}`);
    return m;
  }

  /** Stops a play(). */
  pause(): void {
    if (this.playTimer !== undefined) clearInterval(this.playTimer);
    this.playTimer = undefined;
  }

  /** Index of the next trade to publish for `symbol` (unified, e.g. 'XRP/ETH'). */
  cursor(symbol: string): number {
    return this.market(symbol).cursor;
  }

  /** The market `symbol` (unified), for tests that need its tape or book. */
  market(symbol: string): MarketReplay {
    const m = this.bySymbol.get(symbol);
    if (m === undefined) throw new Error(`FakeBinance: no market ${symbol}`);
    return m;
  }

  /** Server time: the latest market clock (time of the last published trade). */
  now(): number {
    return Math.max(...this.markets.map((m) => m.now()));
  }

  /** Resolves once a WebSocket connection subscribed to `stream` (e.g. 'xrpeth@trade'). */
  waitForSubscription(stream: string, timeoutMs = 5000): Promise<void> {
    return this.streams.waitForSubscription(stream, timeoutMs);
  }

  /** How many connections are subscribed to `stream` now. */
  subscriberCount(stream: string): number {
    return this.streams.subscriberCount(stream);
  }

  /** Stops replay, closes every connection and the server; idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.pause();
      this.userStreams.close();
      await this.streams.close();
      this.server.closeAllConnections();
      await new Promise<void>((resolve, reject) => this.server.close((e) => (e ? reject(e) : resolve())));
    })();
    return this.closing;
  }

  private record(kind: 'http' | 'ws', method: string, path: string, isPrivate: boolean): void {
    const entry: FakeLogEntry = { at: Date.now(), kind, method, path, private: isPrivate };
    this.entries.push(entry);
    for (const listener of this.requestListeners) listener(entry);
  }
}
