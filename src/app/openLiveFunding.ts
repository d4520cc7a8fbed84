import type { Exchange } from 'ccxt';
import type { RequestGate } from '../exchanges/ccxt/RequestGate.js';
import { FundingStore } from '../storage/sqlite/FundingStore.js';
import { LiveFunding } from './LiveFunding.js';
import type { VenueContext } from './RuntimeVariant.js';

/** What openLiveFunding needs of the live venue being built. */
export type LiveFundingContext = Pick<
  VenueContext,
  'node' | 'market' | 'audit' | 'log' | 'now' | 'saveLedger' | 'db' | 'runId'
> & {
  readonly exchange: Exchange;
  readonly gate: RequestGate;
};

/** The funding poller of a live engine and its store (on the engine's own database). */
export interface OpenedLiveFunding {
  readonly poller: LiveFunding;
  readonly store: FundingStore;
}

/**
 * The funding poller of a live engine trading perpetuals, or undefined (spot only, or an
 * exchange ccxt cannot list funding payments of).
 */
export function openLiveFunding(ctx: LiveFundingContext): OpenedLiveFunding | undefined {
  const perps = ctx.market.instruments.filter((i) => i.kind === 'PERPETUAL').map((i) => i.symbol);
  if (perps.length === 0) return undefined;
  if (ctx.exchange.has['fetchFundingHistory'] !== true) {
    ctx.log.warn(
      { exchange: ctx.exchange.id },
      'funding payments cannot be listed on this exchange: reconciliation settles them as cash',
    );
    return undefined;
  }
  const store = new FundingStore(ctx.db, ctx.exchange.id);
  const poller = new LiveFunding({
    exchange: ctx.exchange,
    gate: ctx.gate,
    node: ctx.node,
    symbols: perps,
    store,
    runId: ctx.runId,
    audit: ctx.audit,
    log: ctx.log,
    now: ctx.now,
    saveLedger: ctx.saveLedger,
  });
  return { poller, store };
}
