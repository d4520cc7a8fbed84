import type { ComponentHealth } from '../api/EngineStatus.js';
import type { TradingNode } from '../node/TradingNode.js';
import type { SqliteDatabase } from '../storage/sqlite/openDatabase.js';
import type { RuntimeVenue } from './RuntimeVenue.js';
import type { RunningService } from './services/ServiceContext.js';

/** What a running engine's readiness is made of. */
export interface EngineComponentsInput {
  readonly db: SqliteDatabase;
  readonly dbPath: string;
  /** The market data's health, asked after the database answered. */
  readonly marketData: () => ComponentHealth;
  readonly node: TradingNode;
  readonly venue: RuntimeVenue;
  readonly services: readonly RunningService[];
}

/**
 * The engine's components for /health/ready: the database must answer and be writable (the
 * system of record), a HALTED engine is not ready to trade, and the venue and each side
 * service add their own.
 */
export function engineComponentsOf({
  db,
  dbPath,
  marketData,
  node,
  venue,
  services,
}: EngineComponentsInput): ComponentHealth[] {
  let dbOk = true;
  try {
    db.prepare('SELECT 1').get();
  } catch {
    dbOk = false;
  }
  return [
    marketData(),
    { name: 'database', ready: dbOk && !db.readonly, detail: dbPath },
    {
      name: 'trading',
      ready: node.risk.state !== 'HALTED',
      detail: `trading state ${node.risk.state}`,
    },
    ...venue.components(),
    ...services.flatMap((s) => (s.health ? [s.health()] : [])),
  ];
}
