import type { AuditEntry, AuditQuery, AuditSink } from '../../../src/monitor/AuditSink.js';

/** An AuditSink that keeps every entry in memory, for assertions. */
export class RecordingAudit implements AuditSink {
  readonly entries: AuditEntry[] = [];

  record(kind: string, data: Readonly<Record<string, unknown>>, actor = 'system'): void {
    this.entries.push({ seq: this.entries.length + 1, time: Date.now(), kind, actor, data });
  }

  query(q: AuditQuery): Promise<AuditEntry[]> {
    const hits = this.entries.filter(
      (e) =>
        (q.kind === undefined || e.kind === q.kind) &&
        (q.actor === undefined || e.actor === q.actor) &&
        (q.from === undefined || e.time >= q.from) &&
        (q.to === undefined || e.time < q.to) &&
        (q.text === undefined || JSON.stringify(e.data).includes(q.text)),
    );
    return Promise.resolve(hits.reverse().slice(0, q.limit ?? 100));
  }
}
