import { readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../../src/monitor/audit/verifyAuditLog.js';
import { auditKit, writeTrail } from './auditTestKit.js';

const kits: ReturnType<typeof auditKit>[] = [];
/** A trail of 40 records, one every 2 h from 22:00: five daily files of 1, 12, 12, 12 and 3 lines. */
function trail(): ReturnType<typeof auditKit> {
  const k = auditKit('verify');
  kits.push(k);
  writeTrail(k, 40, 2 * 3_600_000);
  return k;
}
afterEach(() => {
  for (const k of kits.splice(0)) k.remove();
});

const split = (text: string): string[] => text.split('\n').slice(0, -1);
const join_ = (ls: readonly string[]): string => `${ls.join('\n')}\n`;

describe('qts audit verify (verifyAuditLog)', () => {
  it('passes an intact trail and counts every record of every file', () => {
    const k = trail();
    expect(k.files().length).toBe(5);
    expect(verifyAuditLog(k.dir)).toMatchObject({ ok: true, records: 40, lastSeq: 40, files: 5 });
  });

  it('an empty or missing folder is an empty, intact trail', () => {
    const k = auditKit('verify-empty');
    kits.push(k);
    expect(verifyAuditLog(k.dir)).toMatchObject({ ok: true, records: 0, files: 0 });
  });

  it('reports a byte changed in the middle of a line at that file:line', () => {
    const k = trail();
    const name = k.files()[1] as string;
    const ls = split(k.read(name));
    ls[5] = (ls[5] as string).replace('"i":', '"i":1');
    k.write(name, join_(ls));
    expect(verifyAuditLog(k.dir).problem).toEqual({
      file: name,
      line: 6,
      reason: 'content does not match its hash (line altered)',
    });
  });

  it('reports a deleted line where the gap is', () => {
    const k = trail();
    const name = k.files()[2] as string;
    const ls = split(k.read(name));
    ls.splice(3, 1);
    k.write(name, join_(ls));
    const v = verifyAuditLog(k.dir);
    expect(v.problem).toMatchObject({ file: name, line: 4 });
    expect(v.problem?.reason).toMatch(/seq \d+ where \d+ was expected/);
  });

  it('reports reordered lines at the first one out of place', () => {
    const k = trail();
    const name = k.files()[1] as string;
    const ls = split(k.read(name));
    [ls[7], ls[8]] = [ls[8] as string, ls[7] as string];
    k.write(name, join_(ls));
    expect(verifyAuditLog(k.dir).problem).toMatchObject({ file: name, line: 8 });
  });

  it('reports a file truncated mid-line at its last line', () => {
    const k = trail();
    const name = k.files()[3] as string;
    const path = join(k.dir, name);
    const text = k.read(name);
    const cut = text.length - 17;
    truncateSync(path, cut);
    const lineNo = text.slice(0, cut).split('\n').length;
    expect(verifyAuditLog(k.dir).problem).toMatchObject({
      file: name,
      line: lineNo,
      reason: expect.stringMatching(/torn write or truncated/) as unknown,
    });
  });

  it('reports an earlier file truncated at a line boundary at the first line of the next file', () => {
    const k = trail();
    const [, second, third] = k.files() as [string, string, string];
    const ls = split(k.read(second));
    k.write(second, join_(ls.slice(0, -2)));
    expect(verifyAuditLog(k.dir).problem).toMatchObject({ file: third, line: 1 });
  });

  it('reports a whole missing day at the first line after it, and a missing start', () => {
    const k = trail();
    const files = k.files();
    rmSync(join(k.dir, files[2] as string));
    expect(verifyAuditLog(k.dir).problem).toMatchObject({ file: files[3], line: 1 });
    rmSync(join(k.dir, files[0] as string));
    expect(verifyAuditLog(k.dir).problem).toMatchObject({ file: files[1], line: 1 });
  });

  it('reports a line moved into an earlier day`s file', () => {
    const k = trail();
    const [, second, third] = k.files() as [string, string, string];
    const a = split(k.read(second));
    const b = split(k.read(third));
    k.write(second, join_([...a, b[0] as string]));
    k.write(third, join_(b.slice(1)));
    expect(verifyAuditLog(k.dir).problem).toMatchObject({
      file: second,
      line: a.length + 1,
      reason: expect.stringMatching(/in the file of/) as unknown,
    });
  });

  it('any single changed byte anywhere is reported at exactly its file and line (property)', () => {
    const k = trail();
    const files = k.files();
    const originals = files.map((n) => readFileSync(join(k.dir, n)));
    fc.assert(
      fc.property(
        fc.nat({ max: files.length - 1 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 1, max: 255 }),
        (f, where, xor) => {
          const original = originals[f] as Buffer;
          const offset = Math.floor(where * original.length);
          const changed = Buffer.from(original);
          changed[offset] = (changed[offset] as number) ^ xor;
          const path = join(k.dir, files[f] as string);
          writeFileSync(path, changed);
          try {
            const line = original.subarray(0, offset).toString('utf8').split('\n').length;
            const v = verifyAuditLog(k.dir);
            expect(v.ok).toBe(false);
            expect(v.problem).toMatchObject({ file: files[f], line });
          } finally {
            writeFileSync(path, original);
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(verifyAuditLog(k.dir).ok).toBe(true);
  });
});
