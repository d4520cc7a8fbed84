/**
 * Wires the private side of the fake: the account, the signed spot and futures routes, the
 * futures public routes, the user-data streams (WebSocket API subscription for spot, listen
 * keys for futures) and the faults that act on them.
 */
import { FakeAccount } from './FakeAccount.js';
import type { Faults } from './Faults.js';
import { FuturesFunding } from './futuresFunding.js';
import type { FundingSchedule } from './futuresFunding.js';
import { accountUpdate } from './futuresPayloads.js';
import { registerFuturesRoutes } from './futuresRoutes.js';
import type { MarketReplay } from './MarketReplay.js';
import { BinanceError } from './RestApi.js';
import type { RestApi } from './RestApi.js';
import { verifySignedWsParams } from './signedRequests.js';
import { registerSpotTradingRoutes } from './spotTradingRoutes.js';
import type { PrivateContext } from './spotTradingRoutes.js';
import { WsApiError } from './StreamHub.js';
import type { StreamHub } from './StreamHub.js';
import type { FakeAccountOptions } from './types.js';
import { UserStreams } from './UserStreams.js';

/** What installPrivateApi needs from the server. */
export interface PrivateApiHost {
  readonly rest: RestApi;
  readonly streams: StreamHub;
  readonly faults: Faults;
  /** Spot markets (all of them) and those also served as USDT-M perpetuals. */
  readonly markets: readonly MarketReplay[];
  readonly futuresMarkets: readonly MarketReplay[];
  /** Server (market) time. */
  readonly now: () => number;
  /** Funding schedules of perpetuals, by Binance id. */
  readonly fundingSchedules?: ReadonlyMap<string, FundingSchedule>;
}

/** Registers the private API; returns the account and user-data streams for introspection. */
export function installPrivateApi(
  host: PrivateApiHost,
  opts: FakeAccountOptions = {},
): { account: FakeAccount; userStreams: UserStreams; funding: FuturesFunding } {
  const clock = opts.clock ?? ((): number => Date.now());
  const userStreams = new UserStreams(clock);
  const spotById = new Map(host.markets.map((m) => [m.id, m]));
  const futuresById = new Map(host.futuresMarkets.map((m) => [m.id, m]));
  const account = new FakeAccount(
    opts,
    (id) => spotById.get(id),
    (id) => futuresById.get(id),
    userStreams,
    host.now,
  );
  const ctx: PrivateContext = {
    account,
    keys: new Map(Object.entries(opts.apiKeys ?? {})),
    clock,
    now: host.now,
    spotMarket: (id) => spotById.get(id),
    futuresMarket: (id) => futuresById.get(id),
  };
  registerSpotTradingRoutes(host.rest, ctx);
  const ledger = account.futuresLedger;
  const funding = new FuturesFunding(ledger, host.fundingSchedules ?? new Map(), (symbols, time) =>
    userStreams.publishFutures(accountUpdate(ledger, symbols, 'FUNDING_FEE', time)),
  );
  registerFuturesRoutes(host.rest, ctx, host.futuresMarkets, userStreams, funding);
  host.streams.apiMethod(
    'userDataStream.subscribe.signature',
    (req, ws) => {
      try {
        verifySignedWsParams(req.params, ctx.keys, clock());
      } catch (e) {
        if (e instanceof BinanceError) throw new WsApiError(e.status, e.code, e.message);
        throw e;
      }
      return { subscriptionId: userStreams.subscribeSpot(ws) };
    },
    { private: true },
  );
  host.streams.acceptListenKeys((key) => userStreams.acceptFutures(key));
  host.faults.attachUserStreams(userStreams);
  return { account, userStreams, funding };
}
