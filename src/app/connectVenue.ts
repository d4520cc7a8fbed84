import type { LiveClock } from '../kernel/LiveClock.js';
import type { RuntimeStorage } from './openRuntimeStorage.js';
import type { RuntimeVariant, VenueContext } from './RuntimeVariant.js';
import type { RuntimeVenue } from './RuntimeVenue.js';

/**
 * The venue of `variant`, connected to the node: the node sends orders through the venue's
 * client, and the venue's execution reports flow back into the node.
 */
export async function connectVenue(
  variant: RuntimeVariant,
  {
    config,
    node,
    market,
    audit,
    log,
    engineFault,
  }: Pick<VenueContext, 'config' | 'node' | 'market' | 'audit' | 'log' | 'engineFault'>,
  clock: LiveClock,
  { db, stores, runId }: RuntimeStorage,
): Promise<RuntimeVenue> {
  const venue = await variant.makeVenue({
    config,
    node,
    market,
    audit,
    log,
    now: () => clock.now(),
    saveLedger: () => stores.ledger.save(runId, clock.now(), node.portfolio),
    db,
    runId,
    loadOrder: (id) => stores.orders.load(id),
    engineFault,
  });
  venue.connect(node.connect(venue.orderClient ?? venue.client));
  return venue;
}
