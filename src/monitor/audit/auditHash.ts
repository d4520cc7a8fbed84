import { createHash } from 'node:crypto';
import type { AuditEntry } from '../AuditSink.js';

/** `prev` of the very first record of a trail. */
export const GENESIS_HASH = '0'.repeat(64);

/** One line of an audit file: the entry, the hash of the line before it, and its own hash. */
export interface AuditRecord extends AuditEntry {
  readonly prev: string;
  readonly hash: string;
}

/**
 * JSON with object keys sorted at every depth: the same data always hashes the same,
 * whatever order its fields were built in or a reader parsed them back in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/**
 * SHA-256 over the previous line's hash and this line's canonical content. Changing,
 * removing or reordering any line breaks the hash of the line itself or of the next one.
 */
export function hashRecord(prev: string, entry: AuditEntry): string {
  const content = canonicalJson({
    seq: entry.seq,
    time: entry.time,
    kind: entry.kind,
    actor: entry.actor,
    data: entry.data,
  });
  return createHash('sha256').update(prev).update('\n').update(content).digest('hex');
}

/**
 * The data exactly as it will read back from the file: bigints (exact Fixed amounts) as
 * decimal strings of their raw value, Errors as their message, undefined fields dropped.
 * The hash is taken over this form, so verification recomputes it from the parsed line.
 */
export function toJsonData(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const text = JSON.stringify(data, (_k, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Error) return { name: v.name, message: v.message };
    return v;
  });
  const parsed = JSON.parse(text ?? '{}') as unknown;
  return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : { value: parsed };
}

/** The text of one audit line (no newline). */
export function serializeRecord(r: AuditRecord): string {
  return JSON.stringify({
    seq: r.seq,
    time: r.time,
    kind: r.kind,
    actor: r.actor,
    data: r.data,
    prev: r.prev,
    hash: r.hash,
  });
}
