import type { Logger } from 'pino';
import type { ComponentHealth, EngineStatusSource } from '../../api/EngineStatus.js';
import type { AppConfig } from '../../config/configSchema.js';
import type { AuditSink } from '../../monitor/AuditSink.js';
import type { LogTail } from '../../monitor/LogTail.js';
import type { RequestProblemHook } from '../../exchanges/ccxt/requestProblem.js';
import type { StrategyFailure, TradingNode } from '../../node/TradingNode.js';
import type { SqliteDatabase } from '../../storage/sqlite/openDatabase.js';

/** The trading engine as side services see it (TradingRuntime implements it). */
export interface EngineHandle {
  readonly node: TradingNode;
  readonly db: SqliteDatabase;
  readonly runId: string;
  /** Wall time of the last closed bar or trade per symbol. */
  readonly lastData: ReadonlyMap<string, number>;
  /** Subscribes to failed exchange requests of the market data feed; returns the removal. */
  onRequestProblem(listener: RequestProblemHook): () => void;
  /** Subscribes to strategy instances quarantined after a handler threw; returns the removal. */
  onStrategyFailure?(listener: (failure: StrategyFailure) => void): () => void;
}

/**
 * What a side service (metrics, WebSocket push, notifications, audit, …) gets from the
 * running engine. `engine` is absent in api mode, which trades nothing.
 */
export interface ServiceContext {
  readonly mode: 'shadow' | 'live' | 'api';
  readonly config: AppConfig;
  readonly log: Logger;
  readonly audit: AuditSink;
  /** The process log's in-memory tail, when the entry point made one. */
  readonly logTail: LogTail | undefined;
  readonly status: EngineStatusSource;
  readonly engine: EngineHandle | undefined;
  readonly now: () => number;
}

export interface RunningService {
  readonly name: string;
  /** Reported in /health/ready when present. */
  health?(): ComponentHealth;
  stop(): Promise<void>;
}

/** Starts one service, or returns undefined when its configuration switches it off. */
export type ServiceFactory = (ctx: ServiceContext) => Promise<RunningService | undefined>;
