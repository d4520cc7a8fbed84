import type { Logger } from 'pino';
import type { AppConfig } from '../config/configSchema.js';
import type { Order } from '../model/Order.js';
import type { AuditSink } from '../monitor/AuditSink.js';
import type { TradingNode } from '../node/TradingNode.js';
import type { SqliteDatabase } from '../storage/sqlite/openDatabase.js';
import type { MarketDataChoice } from './selectMarketData.js';

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
  /**
   * The engine failed processing `what` outside the market-data path (a live venue's report
   * from a REST lookup or a stream): trading halts as for a fault on a bar (EngineFaults).
   */
  readonly engineFault: (err: unknown, what: string) => void;
  /** An order from the journal, closed ones too (a bracket child's filled parent after a restart). */
  readonly loadOrder?: (orderId: string) => Order | undefined;
}
