import type { AuditEntry, AuditQuery } from '../AuditSink.js';
import { utcDate } from '../utcDate.js';
import { auditFileDate, auditPath, listAuditFiles, parseRecord, readRawLines } from './auditFiles.js';

export const DEFAULT_AUDIT_LIMIT = 100;
export const MAX_AUDIT_LIMIT = 10_000;

/**
 * Audit entries of `dir` matching `q`, newest first. Files outside the from/to days are not
 * read; lines that do not parse are skipped here (`qts audit verify` is what reports them).
 */
export function queryAuditLog(dir: string, q: AuditQuery): AuditEntry[] {
  const limit = Math.min(Math.max(1, Math.floor(q.limit ?? DEFAULT_AUDIT_LIMIT)), MAX_AUDIT_LIMIT);
  const fromDay = q.from === undefined ? undefined : utcDate(q.from);
  const text = q.text?.toLowerCase();
  const out: AuditEntry[] = [];
  for (const name of listAuditFiles(dir).reverse()) {
    const day = auditFileDate(name) as string;
    // A record may sit in a later day's file (clock stepped back), never an earlier one.
    if (fromDay !== undefined && day < fromDay) break;
    const lines = readRawLines(auditPath(dir, name));
    for (let i = lines.length - 1; i >= 0; i--) {
      const r = parseRecord((lines[i] as { text: string }).text, false);
      if (typeof r === 'string') continue;
      if (q.from !== undefined && r.time < q.from) continue;
      if (q.to !== undefined && r.time > q.to) continue;
      if (q.kind !== undefined && r.kind !== q.kind) continue;
      if (q.actor !== undefined && r.actor !== q.actor) continue;
      if (text !== undefined && !JSON.stringify(r.data).toLowerCase().includes(text)) continue;
      out.push({ seq: r.seq, time: r.time, kind: r.kind, actor: r.actor, data: r.data });
      if (out.length >= limit) return out;
    }
  }
  return out;
}
