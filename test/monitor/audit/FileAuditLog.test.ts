import { existsSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isQtsError } from '../../../src/core/QtsError.js';
import { FileAuditLog } from '../../../src/monitor/audit/FileAuditLog.js';
import { GENESIS_HASH, hashRecord } from '../../../src/monitor/audit/auditHash.js';
import { verifyAuditLog } from '../../../src/monitor/audit/verifyAuditLog.js';
import { SecretRegistry } from '../../../src/monitor/SecretRegistry.js';
import { DAY, T0, auditKit, writeTrail } from './auditTestKit.js';

const kits: ReturnType<typeof auditKit>[] = [];
const kit = (): ReturnType<typeof auditKit> => {
  const k = auditKit();
  kits.push(k);
  return k;
};
afterEach(() => {
  for (const k of kits.splice(0)) k.remove();
});

const lines = (text: string): Record<string, unknown>[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('FileAuditLog', () => {
  it('writes one hash-chained JSON line per record into the file of its UTC day', () => {
    const k = kit();
    const log = k.open();
    log.record('order.intent', { orderId: 'Q-1', qty: 10n ** 16n }, 'sma-btc');
    k.clock.t += 3 * 3_600_000; // past midnight
    log.record('order.filled', { orderId: 'Q-1' }, 'sma-btc');
    log.close();
    expect(k.files()).toEqual(['audit-2024-03-09.jsonl', 'audit-2024-03-10.jsonl']);
    const [a] = lines(k.read('audit-2024-03-09.jsonl'));
    const [b] = lines(k.read('audit-2024-03-10.jsonl'));
    expect(a).toMatchObject({ seq: 1, time: T0, kind: 'order.intent', actor: 'sma-btc', prev: GENESIS_HASH });
    // bigints (exact Fixed amounts) are written as decimal strings, never lost.
    expect((a?.['data'] as Record<string, unknown>)['qty']).toBe(String(10n ** 16n));
    expect(b).toMatchObject({ seq: 2, prev: a?.['hash'] });
    expect(b?.['hash']).toBe(
      hashRecord(a?.['hash'] as string, {
        seq: 2,
        time: T0 + 3 * 3_600_000,
        kind: 'order.filled',
        actor: 'sma-btc',
        data: { orderId: 'Q-1' },
      }),
    );
    expect(verifyAuditLog(k.dir)).toMatchObject({ ok: true, records: 2, files: 2, lastHash: b?.['hash'] });
  });

  it('continues the chain across restarts and days', () => {
    const k = kit();
    writeTrail(k, 5, 3_600_000);
    const second = k.open();
    expect(second.head().seq).toBe(5);
    second.record('app.started', {}, 'system');
    k.clock.t += 2 * DAY;
    second.record('app.stopped', {}, 'system');
    second.close();
    const v = verifyAuditLog(k.dir);
    expect(v).toMatchObject({ ok: true, records: 7, lastSeq: 7 });
    expect(v.files).toBe(k.files().length);
  });

  it('never writes behind the newest file when the clock steps back over midnight', () => {
    const k = kit();
    const log = k.open();
    k.clock.t = Date.UTC(2024, 2, 10, 0, 0, 5);
    log.record('a', {});
    k.clock.t = Date.UTC(2024, 2, 9, 23, 59, 59);
    log.record('b', {});
    log.close();
    expect(k.files()).toEqual(['audit-2024-03-10.jsonl']);
    expect(verifyAuditLog(k.dir)).toMatchObject({ ok: true, records: 2 });
  });

  it('keeps secrets out: secret-named fields at any depth and registered values anywhere', () => {
    const k = kit();
    const secrets = new SecretRegistry();
    secrets.register('sk-live-CANARY-123456');
    const log = k.open(secrets);
    log.record(
      'config.loaded',
      {
        exchange: { apiKey: 'plain-key-value-1', nested: [{ secret: 'plain-secret-2' }] },
        note: 'failed with key sk-live-CANARY-123456 in the url',
      },
      'system',
    );
    log.close();
    const text = k.read(k.files()[0] as string);
    for (const s of ['plain-key-value-1', 'plain-secret-2', 'sk-live-CANARY-123456'])
      expect(text).not.toContain(s);
    expect(text).toContain('[REDACTED]');
    expect(verifyAuditLog(k.dir).ok).toBe(true);
  });

  it('sets a torn last line aside, records that it did, and chains on the last intact record', () => {
    const k = kit();
    writeTrail(k, 4, 60_000);
    const name = k.files()[0] as string;
    const intact = k.read(name);
    const fragment = '{"seq":5,"time":17099';
    k.write(name, `${intact}${fragment}`); // the crash hit mid-write
    expect(verifyAuditLog(k.dir).problem).toMatchObject({ file: name, line: 5 });

    const log = k.open();
    expect(log.tornTail).toMatchObject({ file: name, line: 5, bytes: fragment.length });
    log.record('after.restart', {});
    log.close();
    const saved = join(k.dir, log.tornTail?.savedTo ?? '');
    expect(readFileSync(saved, 'utf8')).toBe(fragment);
    const recs = lines(k.read(name));
    expect(recs.map((r) => r['kind'])).toEqual([
      'order.intent',
      'order.filled',
      'order.filled',
      'order.intent',
      'audit.torn_tail',
      'after.restart',
    ]);
    const v = verifyAuditLog(k.dir);
    expect(v).toMatchObject({ ok: true, records: 6 });
    expect(v.tornFragments).toEqual([log.tornTail?.savedTo]);
  });

  it('finishes a last line that lost only its newline', () => {
    const k = kit();
    writeTrail(k, 3, 60_000);
    const name = k.files()[0] as string;
    k.write(name, k.read(name).slice(0, -1));
    const log = k.open();
    expect(log.tornTail).toBeUndefined();
    log.record('next', {});
    log.close();
    expect(verifyAuditLog(k.dir)).toMatchObject({ ok: true, records: 4 });
  });

  it('refuses to extend a chain whose last complete line was altered', () => {
    const k = kit();
    writeTrail(k, 3, 60_000);
    const name = k.files()[0] as string;
    k.write(name, k.read(name).replace('"i":2', '"i":9'));
    let err: unknown;
    try {
      k.open();
    } catch (e) {
      err = e;
    }
    expect(isQtsError(err, 'ERR_AUDIT_TAMPERED')).toBe(true);
    expect((err as Error).message).toContain(`${name}:3`);
    // The refused open released its lock.
    expect(existsSync(join(k.dir, 'audit.lock'))).toBe(false);
  });

  it('allows one writer per folder; a lock left by a dead process is taken over', () => {
    const k = kit();
    const first = k.open();
    expect(() => k.open()).toThrow(/already written by process/);
    first.close();
    k.write('audit.lock', '999999999');
    const second = k.open();
    second.record('x', {});
    second.close();
    expect(verifyAuditLog(k.dir).ok).toBe(true);
  });

  it('reports a failed write as unhealthy without breaking the chain, and recovers', () => {
    const k = kit();
    const errors: Error[] = [];
    const log = FileAuditLog.open({ dir: k.dir, now: () => k.clock.t, onError: (e) => errors.push(e) });
    log.record('day1', {});
    // The next day's file is a device that is always full.
    symlinkSync('/dev/full', join(k.dir, 'audit-2024-03-10.jsonl'));
    k.clock.t += DAY;
    log.record('day2.lost', {});
    expect(log.health()).toMatchObject({ name: 'audit', ready: false });
    expect(log.head().seq).toBe(1);
    rmSync(join(k.dir, 'audit-2024-03-10.jsonl'));
    log.record('day2.kept', {});
    expect(log.health().ready).toBe(true);
    log.close();
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['ENOSPC']);
    expect(verifyAuditLog(k.dir)).toMatchObject({ ok: true, records: 2, lastSeq: 2 });
  });

  it('queries newest first with filters and a limit', async () => {
    const k = kit();
    writeTrail(k, 30, 3_600_000); // spans two UTC days
    const log = k.open();
    const all = await log.query({ limit: 1000 });
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
    const intents = await log.query({ kind: 'order.intent' });
    expect(intents.every((e) => e.kind === 'order.intent')).toBe(true);
    expect(intents).toHaveLength(10);
    const window = await log.query({ from: T0 + 5 * 3_600_000, to: T0 + 9 * 3_600_000 });
    expect(window.map((e) => e.seq)).toEqual([10, 9, 8, 7, 6]);
    expect((await log.query({ text: '"i":17' })).map((e) => e.seq)).toEqual([18]);
    expect(await log.query({ actor: 'nobody' })).toEqual([]);
    expect(await log.query({ limit: 3 })).toHaveLength(3);
  });
});
