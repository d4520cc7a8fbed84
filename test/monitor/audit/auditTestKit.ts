import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileAuditLog } from '../../../src/monitor/audit/FileAuditLog.js';
import { listAuditFiles } from '../../../src/monitor/audit/auditFiles.js';
import { SecretRegistry } from '../../../src/monitor/SecretRegistry.js';

export const DAY = 86_400_000;
/** 2024-03-09T22:00:00Z: two hours before a UTC midnight. */
export const T0 = Date.UTC(2024, 2, 9, 22, 0, 0);

/** A temp audit folder with a settable clock; `open` is a (re)start of the writer. */
export function auditKit(prefix = 'audit'): {
  dir: string;
  clock: { t: number };
  open(secrets?: SecretRegistry): FileAuditLog;
  files(): string[];
  read(name: string): string;
  write(name: string, text: string): void;
  remove(): void;
} {
  const dir = join(mkdtempSync(join(tmpdir(), `qts-${prefix}-`)), 'audit');
  const clock = { t: T0 };
  const opened: FileAuditLog[] = [];
  return {
    dir,
    clock,
    open(secrets = new SecretRegistry()) {
      const log = FileAuditLog.open({ dir, now: () => clock.t, secrets });
      opened.push(log);
      return log;
    },
    files: () => listAuditFiles(dir),
    read: (name) => readFileSync(join(dir, name), 'utf8'),
    write: (name, text) => writeFileSync(join(dir, name), text),
    remove() {
      for (const l of opened) l.close();
      rmSync(join(dir, '..'), { recursive: true, force: true });
    },
  };
}

/** Writes `n` records spread over the clock, `stepMs` apart, closing the writer at the end. */
export function writeTrail(kit: ReturnType<typeof auditKit>, n: number, stepMs: number): void {
  const log = kit.open();
  for (let i = 0; i < n; i++) {
    log.record(
      i % 3 === 0 ? 'order.intent' : 'order.filled',
      { i, symbol: 'BTC/USDT', qty: `0.${i}` },
      'sma',
    );
    kit.clock.t += stepMs;
  }
  log.close();
}
