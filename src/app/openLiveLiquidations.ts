import type { Exchange } from 'ccxt';
import { listsForcedCloses } from '../exchanges/ccxt/fetchForcedCloses.js';
import type { RequestGate } from '../exchanges/ccxt/RequestGate.js';
import { FundingStore } from '../storage/sqlite/FundingStore.js';
import { LiquidationBooking } from './LiquidationBooking.js';
import { LiveLiquidations } from './LiveLiquidations.js';
import type { VenueContext } from './RuntimeVariant.js';

/** What openLiveLiquidations needs of the live venue being built. */
export type LiveLiquidationsContext = Pick<
  VenueContext,
  'node' | 'market' | 'audit' | 'log' | 'now' | 'saveLedger' | 'db'
> & {
  readonly exchange: Exchange;
  readonly gate: RequestGate;
  readonly syncOrders: () => Promise<void>;
};

/**
 * The liquidation poller of a live engine trading perpetuals, or undefined (spot only, or an
 * exchange whose forced closes cannot be listed: its liquidations reach the books through
 * reconciliation, exchange wins). Its cursors live beside the funding cursors, under the key
 * `liquidations:<exchange id>`.
 */
export function openLiveLiquidations(ctx: LiveLiquidationsContext): LiveLiquidations | undefined {
  const perps = ctx.market.instruments.filter((i) => i.kind === 'PERPETUAL').map((i) => i.symbol);
  if (perps.length === 0) return undefined;
  if (!listsForcedCloses(ctx.exchange)) {
    ctx.log.warn(
      { exchange: ctx.exchange.id },
      'liquidations cannot be listed on this exchange: reconciliation settles them as differences',
    );
    return undefined;
  }
  return new LiveLiquidations({
    exchange: ctx.exchange,
    gate: ctx.gate,
    syncOrders: ctx.syncOrders,
    node: ctx.node,
    symbols: perps,
    cursors: new FundingStore(ctx.db, `liquidations:${ctx.exchange.id}`),
    booking: new LiquidationBooking(ctx, ctx.exchange.id),
    log: ctx.log,
    now: ctx.now,
  });
}
