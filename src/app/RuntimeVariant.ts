import type { Logger } from 'pino';
import type { AppConfig } from '../config/configSchema.js';
import type { Order } from '../model/Order.js';
import type { TradingNode } from '../node/TradingNode.js';
import type { SqliteDatabase } from '../storage/sqlite/openDatabase.js';
import type { AuditSink } from '../monitor/AuditSink.js';
import type { RuntimeVenue } from './RuntimeVenue.js';
import type { MarketDataChoice } from './selectMarketData.js';
import { ShadowPerpetuals } from './ShadowPerpetuals.js';
import { ShadowVenue } from './ShadowVenue.js';

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

/** What a venue is built from. */
export interface VenueContext {
  readonly config: AppConfig;
  readonly node: TradingNode;
  readonly market: MarketDataChoice;
  readonly audit: AuditSink;
  readonly log: Logger;
  readonly now: () => number;
  /** Saves the ledger (after reconciliation moved it). */
  readonly saveLedger: () => void;
  /** The engine's database and this session's run id, for venues that keep records of their own. */
  readonly db: SqliteDatabase;
  readonly runId: string;
  /** An order from the journal, closed ones too (a bracket child's filled parent after a restart). */
  readonly loadOrder?: (orderId: string) => Order | undefined;
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
      return new ShadowVenue(node, config.account.commission, market.matchOn, db, perpetuals);
    },
  };
}
