import type { Exchange } from 'ccxt';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/configSchema.js';
import type { RequestGate } from '../exchanges/ccxt/RequestGate.js';
import type { AuditSink } from '../monitor/AuditSink.js';
import type { TradingNode } from '../node/TradingNode.js';
import { FundingStore } from '../storage/sqlite/FundingStore.js';
import { openDatabase } from '../storage/sqlite/openDatabase.js';
import { LiveFunding } from './LiveFunding.js';
import type { MarketDataChoice } from './selectMarketData.js';

/** What openLiveFunding needs of the live venue being built. */
export interface LiveFundingContext {
  readonly config: AppConfig;
  readonly exchange: Exchange;
  readonly gate: RequestGate;
  readonly node: TradingNode;
  readonly market: MarketDataChoice;
  readonly audit: AuditSink;
  readonly log: Logger;
  readonly now: () => number;
  readonly saveLedger: () => void;
}

/** The funding poller of a live engine, its store, and how to release the store's connection. */
export interface OpenedLiveFunding {
  readonly poller: LiveFunding;
  readonly store: FundingStore;
  close(): void;
}

/**
 * The funding poller of a live engine trading perpetuals, or undefined (spot only, or an
 * exchange ccxt cannot list funding payments of). Its store is a second connection to the
 * engine's database (WAL: readers and the runtime's writer do not block each other).
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
  const db = openDatabase(ctx.config.storage.dbPath);
  const store = new FundingStore(db, ctx.exchange.id);
  const poller = new LiveFunding({
    exchange: ctx.exchange,
    gate: ctx.gate,
    node: ctx.node,
    symbols: perps,
    store,
    runId: `live-${ctx.now()}`,
    audit: ctx.audit,
    log: ctx.log,
    now: ctx.now,
    saveLedger: ctx.saveLedger,
  });
  return {
    poller,
    store,
    close: () => {
      if (db.open) db.close();
    },
  };
}
