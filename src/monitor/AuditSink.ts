/**
 * Where the audit trail goes: every order intent, risk decision, fill, reconciliation
 * difference, config change, API command and login. The file-backed, hash-chained
 * implementation lives beside it; tests and api mode may use the null sink.
 */
export interface AuditSink {
  /** `actor` is who caused it: a strategy id, `api:<token name>`, `cli`, `system`. */
  record(kind: string, data: Readonly<Record<string, unknown>>, actor?: string): void;
}

export const NULL_AUDIT: AuditSink = { record: () => undefined };
