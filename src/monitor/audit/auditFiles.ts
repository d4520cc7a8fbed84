import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { dateOfFileName, datedFileName } from '../utcDate.js';
import type { AuditRecord } from './auditHash.js';
import { serializeRecord } from './auditHash.js';

const PREFIX = 'audit';
const EXT = 'jsonl';

/** `audit-YYYY-MM-DD.jsonl` for the UTC day of `time`. */
export function auditFileName(time: number): string {
  return datedFileName(PREFIX, time, EXT);
}

/** The UTC date in an audit file's name, or undefined when the name is not an audit file. */
export function auditFileDate(name: string): string | undefined {
  return dateOfFileName(PREFIX, name, EXT);
}

/** Audit file names in `dir`, oldest day first (the order the chain runs in). */
export function listAuditFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => auditFileDate(n) !== undefined)
    .sort();
}

/** One line of a file as read: its 1-based number, text, and whether a newline ended it. */
export interface RawLine {
  readonly line: number;
  readonly text: string;
  readonly terminated: boolean;
}

/** Every line of an audit file (a final line without newline is reported as unterminated). */
export function readRawLines(path: string): RawLine[] {
  const content = readFileSync(path, 'utf8');
  if (content.length === 0) return [];
  const parts = content.split('\n');
  const endsWithNewline = parts[parts.length - 1] === '';
  if (endsWithNewline) parts.pop();
  return parts.map((text, i) => ({
    line: i + 1,
    text,
    terminated: endsWithNewline || i < parts.length - 1,
  }));
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * The record on a line, or why the line is not one. With `exact` (verification, the writer's
 * restart) a line must be byte for byte what the writer writes for its record: JSON would
 * tolerate an added field (`"approvedBy":"CEO"`), a duplicate key, re-ordered keys or extra
 * spaces, none of which the hash covers. Queries read loosely and leave judging to verify.
 */
export function parseRecord(text: string, exact = true): AuditRecord | string {
  const r = parseFields(text);
  if (typeof r === 'string' || !exact) return r;
  if (serializeRecord(r) !== text)
    return 'not in the form the writer writes (a field added, duplicated or re-ordered, or spacing edited)';
  return r;
}

function parseFields(text: string): AuditRecord | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'not a JSON object';
  const r = v as Record<string, unknown>;
  if (!Number.isSafeInteger(r['seq'])) return 'seq missing or not an integer';
  if (typeof r['time'] !== 'number' || !Number.isFinite(r['time'])) return 'time missing or not a number';
  if (typeof r['kind'] !== 'string') return 'kind missing';
  if (typeof r['actor'] !== 'string') return 'actor missing';
  const data = r['data'];
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    return 'data missing or not an object';
  if (typeof r['prev'] !== 'string' || !HEX64.test(r['prev'])) return 'prev missing or not a SHA-256 hex';
  if (typeof r['hash'] !== 'string' || !HEX64.test(r['hash'])) return 'hash missing or not a SHA-256 hex';
  return {
    seq: r['seq'] as number,
    time: r['time'],
    kind: r['kind'],
    actor: r['actor'],
    data: data as Record<string, unknown>,
    prev: r['prev'],
    hash: r['hash'],
  };
}

/** Path of a file in the audit folder. */
export function auditPath(dir: string, name: string): string {
  return join(dir, name);
}
