import { createHash } from 'node:crypto';
import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { QtsError } from '../../core/QtsError.js';
import type { AuditEntry, AuditQuery, AuditSink } from '../AuditSink.js';
import type { SecretRegistry } from '../SecretRegistry.js';
import { secretRegistry } from '../SecretRegistry.js';
import { redactSecrets } from '../redactSecrets.js';
import { utcDate } from '../utcDate.js';
import {
  auditFileDate,
  auditFileName,
  auditPath,
  listAuditFiles,
  parseRecord,
  readRawLines,
} from './auditFiles.js';
import type { AuditRecord } from './auditHash.js';
import { GENESIS_HASH, hashRecord, serializeRecord, toJsonData } from './auditHash.js';
import { acquireAuditLock } from './auditLock.js';
import { queryAuditLog } from './queryAuditLog.js';

export interface FileAuditLogOptions {
  /** Folder of the daily files (config audit.dir, default logs/app/audit). */
  readonly dir: string;
  readonly now: () => number;
  /** fdatasync after every record: survives a power cut, costs a disk flush per record. */
  readonly fsync?: boolean;
  /** Secret values scrubbed from every record; defaults to the process-wide registry. */
  readonly secrets?: SecretRegistry;
  /** A record could not be written (disk full, …): the trail is unhealthy until a write succeeds. */
  readonly onError?: (err: Error) => void;
}

/** A crash in the middle of a write left a partial last line; it was set aside at open. */
export interface TornTail {
  readonly file: string;
  readonly line: number;
  readonly bytes: number;
  readonly savedTo: string;
  /** SHA-256 of the fragment, so the side file can be matched to this record. */
  readonly sha256: string;
}

interface Tail {
  seq: number;
  hash: string;
  day: string;
  torn?: TornTail;
}

/**
 * The audit trail on disk: `audit-YYYY-MM-DD.jsonl` per UTC day, one JSON object per line
 * {seq, time, kind, actor, data, prev, hash}, hash = SHA-256(prev hash + canonical content).
 * The chain runs on across days and restarts: open reads the last line and continues from
 * its seq and hash.
 *
 * Durability: each record is one synchronous append (write(2) of the whole line) before
 * `record` returns, so a process crash never loses an acknowledged record; with `fsync`
 * each is also flushed to the disk. A crash during the write can leave a partial last line:
 * open moves that fragment to `<file>.torn-<time>`, cuts it off and records an
 * `audit.torn_tail` entry saying so — the chain never continues onto garbage silently. A
 * complete last line whose hash does not match refuses to open (ERR_AUDIT_TAMPERED).
 */
export class FileAuditLog implements AuditSink {
  private fd: number | undefined;
  private fdDay = '';
  private size = 0;
  private seq: number;
  private prev: string;
  private day: string;
  private lastError: string | undefined;
  private readonly secrets: SecretRegistry;
  /** Records written since open. */
  written = 0;

  private constructor(
    private readonly opts: FileAuditLogOptions,
    tail: Tail,
    private readonly unlock: () => void,
    /** The torn tail set aside at open, if the last run crashed mid-write. */
    readonly tornTail: TornTail | undefined,
  ) {
    this.seq = tail.seq;
    this.prev = tail.hash;
    this.day = tail.day;
    this.secrets = opts.secrets ?? secretRegistry;
  }

  /** Opens (creating) the trail in `opts.dir` and locks it for this process. */
  static open(opts: FileAuditLogOptions): FileAuditLog {
    mkdirSync(opts.dir, { recursive: true, mode: 0o750 });
    const unlock = acquireAuditLock(opts.dir);
    try {
      const tail = readTail(opts.dir, opts.now());
      const log = new FileAuditLog(opts, tail, unlock, tail.torn);
      if (tail.torn !== undefined) log.record('audit.torn_tail', { ...tail.torn }, 'system');
      return log;
    } catch (e) {
      unlock();
      throw e;
    }
  }

  get dir(): string {
    return this.opts.dir;
  }

  /** Seq and hash of the newest record (keep the hash elsewhere to detect truncation). */
  head(): { seq: number; hash: string } {
    return { seq: this.seq, hash: this.prev };
  }

  record(kind: string, data: Readonly<Record<string, unknown>>, actor = 'system'): void {
    const time = this.opts.now();
    const entry: AuditEntry = {
      seq: this.seq + 1,
      time,
      kind: this.secrets.scrub(kind),
      actor: this.secrets.scrub(actor),
      // To JSON first: an Error's message or a class instance's toJSON holds text the
      // scrubber must see, and only plain JSON data is walked by name and by value.
      data: this.secrets.scrubDeep(redactSecrets(toJsonData(data))),
    };
    const hash = hashRecord(this.prev, entry);
    const line = `${serializeRecord({ ...entry, prev: this.prev, hash })}\n`;
    // Never back to an earlier day's file: a clock stepping back over midnight would
    // otherwise put a line before its predecessor in the chain's file order.
    const day = maxDay(this.day, utcDate(time));
    try {
      const fd = this.fileFor(day);
      const bytes = Buffer.from(line, 'utf8');
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off);
      if (this.opts.fsync === true) fdatasyncSync(fd);
      this.size += bytes.length;
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    this.seq = entry.seq;
    this.prev = hash;
    this.day = day;
    this.lastError = undefined;
    this.written++;
  }

  query(q: AuditQuery): Promise<AuditEntry[]> {
    return new Promise((resolve) => resolve(queryAuditLog(this.opts.dir, q)));
  }

  /** For /health/ready: unhealthy while records cannot be written. */
  health(): { name: string; ready: boolean; detail: string } {
    return {
      name: 'audit',
      ready: this.lastError === undefined,
      detail:
        this.lastError === undefined
          ? `${this.opts.dir}: seq ${this.seq}`
          : `${this.opts.dir}: cannot write (${this.lastError})`,
    };
  }

  close(): void {
    this.closeFd();
    this.unlock();
  }

  private fileFor(day: string): number {
    if (this.fd !== undefined && this.fdDay === day) return this.fd;
    this.closeFd();
    const path = auditPath(this.opts.dir, auditFileName(Date.parse(`${day}T00:00:00Z`)));
    const fd = openSync(path, 'a', 0o640);
    this.fd = fd;
    this.fdDay = day;
    this.size = fstatSync(fd).size;
    return fd;
  }

  /** A failed write may have left part of a line: cut the file back so the chain stays whole. */
  private fail(err: Error): void {
    this.lastError = (err as NodeJS.ErrnoException).code ?? err.message;
    if (this.fd !== undefined) {
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        // The next open sets a partial line aside as a torn tail.
      }
    }
    this.closeFd();
    this.opts.onError?.(err);
  }

  private closeFd(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // Nothing left to flush.
    }
    this.fd = undefined;
  }
}

function maxDay(a: string, b: string): string {
  return a > b ? a : b;
}

const intact = (r: AuditRecord | string): r is AuditRecord =>
  typeof r !== 'string' && hashRecord(r.prev, r) === r.hash;

/** Where the chain stands on disk: the newest intact record, after setting a torn tail aside. */
function readTail(dir: string, now: number): Tail {
  let torn: TornTail | undefined;
  const files = listAuditFiles(dir);
  for (let f = files.length - 1; f >= 0; f--) {
    const name = files[f] as string;
    const path = auditPath(dir, name);
    const lines = readRawLines(path);
    let last = lines.pop();
    if (last === undefined) continue;
    if (!last.terminated && torn === undefined) {
      if (intact(parseRecord(last.text))) {
        // The whole line reached the disk but its newline did not: finish the line.
        writeFileSync(path, '\n', { flag: 'a' });
        last = { ...last, terminated: true };
      } else {
        torn = setTornTailAside(dir, name, path, last.line, now);
        last = lines.pop();
        if (last === undefined) continue;
      }
    }
    const r = parseRecord(last.text);
    if (!last.terminated || !intact(r))
      throw new QtsError(
        'ERR_AUDIT_TAMPERED',
        `${dir}/${name}:${last.line}: the last audit record is not intact (${typeof r === 'string' ? r : 'content does not match its hash'}); the trail is not extended onto it. Run \`qts audit verify --dir ${dir}\` and move the damaged files aside.`,
        { dir, file: name, line: last.line },
      );
    return { seq: r.seq, hash: r.hash, day: auditFileDate(name) as string, ...(torn ? { torn } : {}) };
  }
  return { seq: 0, hash: GENESIS_HASH, day: '', ...(torn ? { torn } : {}) };
}

/** Copies the partial last line to `<file>.torn-<now>` and cuts it off the file. */
function setTornTailAside(dir: string, name: string, path: string, line: number, now: number): TornTail {
  const content = readFileSync(path);
  const cut = content.lastIndexOf(0x0a) + 1;
  const fragment = content.subarray(cut);
  const savedTo = `${name}.torn-${now}`;
  writeFileSync(auditPath(dir, savedTo), fragment, { mode: 0o640 });
  truncateSync(path, cut);
  return {
    file: name,
    line,
    bytes: fragment.length,
    savedTo,
    sha256: createHash('sha256').update(fragment).digest('hex'),
  };
}
