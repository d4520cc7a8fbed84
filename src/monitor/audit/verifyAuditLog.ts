import { readdirSync, existsSync } from 'node:fs';
import { utcDate } from '../utcDate.js';
import { auditFileDate, auditPath, listAuditFiles, parseRecord, readRawLines } from './auditFiles.js';
import { GENESIS_HASH, hashRecord } from './auditHash.js';

/** Where the chain first breaks: `file:line` and why. */
export interface AuditProblem {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

export interface AuditVerifyResult {
  readonly ok: boolean;
  readonly files: number;
  /** Records checked and found intact (before the problem, if any). */
  readonly records: number;
  /** Hash of the last intact record: keep it elsewhere to detect a later truncation. */
  readonly lastHash: string;
  readonly lastSeq: number;
  readonly problem?: AuditProblem;
  /** Torn tails set aside by a restart after a crash (`*.torn-*`), for the operator to look at. */
  readonly tornFragments: readonly string[];
}

/**
 * Walks every audit file of `dir` in date order and checks each line: it parses, its hash
 * matches its content and the previous line's hash, its seq follows the previous one, and it
 * lies in the file of its day (or a later one, when the clock stepped back at midnight). The
 * first line that fails is reported; nothing after it is trusted.
 *
 * What a chain cannot show by itself: the newest lines removed cleanly at a line boundary
 * (nothing comes after them to disagree). Compare `lastHash` with a copy kept elsewhere.
 */
export function verifyAuditLog(dir: string): AuditVerifyResult {
  const files = listAuditFiles(dir);
  const tornFragments = existsSync(dir) ? readdirSync(dir).filter((n) => n.includes('.jsonl.torn-')) : [];
  let prev = GENESIS_HASH;
  let seq = 0;
  let records = 0;
  const result = (problem?: AuditProblem): AuditVerifyResult => ({
    ok: problem === undefined,
    files: files.length,
    records,
    lastHash: prev,
    lastSeq: seq,
    ...(problem === undefined ? {} : { problem }),
    tornFragments,
  });
  for (const name of files) {
    const fileDate = auditFileDate(name) as string;
    for (const raw of readRawLines(auditPath(dir, name))) {
      const at = (reason: string): AuditVerifyResult => result({ file: name, line: raw.line, reason });
      if (raw.text.length === 0) return at('empty line');
      const r = parseRecord(raw.text);
      if (typeof r === 'string')
        return at(raw.terminated ? r : `incomplete last line (torn write or truncated file): ${r}`);
      if (!raw.terminated) return at('last line has no newline (torn write or truncated file)');
      if (hashRecord(r.prev, r) !== r.hash) return at('content does not match its hash (line altered)');
      if (r.seq !== seq + 1)
        return at(`seq ${r.seq} where ${seq + 1} was expected (a line deleted, inserted or reordered)`);
      if (r.prev !== prev)
        return at(
          prev === GENESIS_HASH && seq === 0
            ? 'first record does not start the chain (earlier files missing?)'
            : "prev does not match the previous line's hash (a line deleted, inserted or reordered)",
        );
      if (utcDate(r.time) > fileDate) return at(`record of ${utcDate(r.time)} in the file of ${fileDate}`);
      prev = r.hash;
      seq = r.seq;
      records++;
    }
  }
  return result();
}
