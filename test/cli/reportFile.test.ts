import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkReportPaths, writeReportFile } from '../../src/cli/reportFile.js';
import { caught } from '../data/caught.js';

describe('report files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qts-report-file-'));
  const file = join(dir, 'existing.json');
  writeFileSync(file, '{}');

  it('accepts a new file in new folders, an existing file, and no paths at all', () => {
    expect(() => checkReportPaths({ json: join(dir, 'a/b/c.json'), html: file })).not.toThrow();
    expect(() => checkReportPaths({})).not.toThrow();
  });

  it('refuses a directory and a path under a file before any work, naming the option', () => {
    const e = caught(() => checkReportPaths({ json: dir }));
    expect(e.code).toBe('ERR_INVALID_OPTION');
    expect(e.message).toBe(`--json: ${dir} is a directory; give a file name`);
    const under = caught(() => checkReportPaths({ html: join(file, 'x/report.html') }));
    expect(under.message).toBe(
      `--html: ${join(file, 'x/report.html')} cannot be made: ${file} is a file, not a folder`,
    );
  });

  it('writes the file with its folders, and a failed write is ERR_OUTPUT_WRITE naming the path', () => {
    const out = join(dir, 'new/folder/report.json');
    writeReportFile(out, '{"ok":true}\n');
    expect(readFileSync(out, 'utf8')).toBe('{"ok":true}\n');
    mkdirSync(join(dir, 'taken'));
    const e = caught(() => writeReportFile(join(dir, 'taken'), 'x'));
    expect(e.code).toBe('ERR_OUTPUT_WRITE');
    expect(e.message).toContain(`cannot write ${join(dir, 'taken')} (EISDIR)`);
  });
});
