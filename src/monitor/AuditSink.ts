/** One line of the audit trail. */
export interface AuditEntry {
  readonly seq: number;
  readonly time: number;
  readonly kind: string;
  /** Who caused it: a strategy id, `api:<token name>`, `cli`, `system`. */
  readonly actor: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface AuditQuery {
  readonly from?: number;
  readonly to?: number;
  readonly kind?: string;
  readonly actor?: string;
  /** Substring searched in the serialized data. */
  readonly text?: string;
  readonly limit?: number;
}

/**
 * Where the audit trail goes: every order intent, risk decision, fill, reconciliation
 * difference, config change, API command and login. The file-backed, hash-chained
 * implementation lives in src/monitor/audit; tests and api mode may use the null sink.
 */
export interface AuditSink {
  record(kind: string, data: Readonly<Record<string, unknown>>, actor?: string): void;
  /** Newest first. */
  query(q: AuditQuery): Promise<AuditEntry[]>;
}

export const NULL_AUDIT: AuditSink = { record: () => undefined, query: () => Promise.resolve([]) };
