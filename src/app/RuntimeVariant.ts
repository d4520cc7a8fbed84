import type { RuntimeVenue } from './RuntimeVenue.js';
import { ShadowPerpetuals } from './ShadowPerpetuals.js';
import { ShadowVenue } from './ShadowVenue.js';
import type { VenueContext } from './VenueContext.js';

export type { VenueContext } from './VenueContext.js';

/**
 * What makes an engine shadow or live: its mode name, whether market data may fall back to
 * replay/synthetic when the exchange does not answer, and the venue its orders go to. The
 * composition root (startApp) picks one; everything else in the runtime is shared.
 */
export interface RuntimeVariant {
  readonly mode: 'shadow' | 'live';
  readonly allowMarketFallback: boolean;
  readonly makeVenue: (ctx: VenueContext) => RuntimeVenue | Promise<RuntimeVenue>;
}

/**
 * Shadow trading: the simulated venue, a paper account; perpetuals margined, cleared and
 * funded as live (ShadowPerpetuals).
 */
export const SHADOW_VARIANT: RuntimeVariant = shadowVariant();

/** The shadow variant; tests may shorten the wait before a funding settlement is asked for again. */
export function shadowVariant(opts: { fundingRetryMs?: number } = {}): RuntimeVariant {
  return {
    mode: 'shadow',
    allowMarketFallback: true,
    makeVenue: (ctx) => {
      const { node, market, config, db } = ctx;
      const perpetuals = market.instruments.some((i) => i.kind === 'PERPETUAL')
        ? new ShadowPerpetuals({ ...ctx, ...opts })
        : undefined;
      return new ShadowVenue(
        node,
        config.account.commission,
        market.matchOn,
        db,
        perpetuals,
        market.replayClock,
      );
    },
  };
}
