import {
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
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

  it('refuses `-` (stdout) where no command writes a report to stdout, rather than make a file named -', () => {
    for (const option of ['json', 'html'] as const) {
      const e = caught(() => checkReportPaths({ [option]: '-' }));
      expect(e.code).toBe('ERR_INVALID_OPTION');
      expect(e.message).toBe(
        `--${option} -: writing to stdout is only supported by qts backtest --json -; give a file name`,
      );
    }
  });

  it('refuses a report over an input of the run or over the other report, however spelled', () => {
    const candles = join(dir, 'X_USDT-1m.csv');
    writeFileSync(candles, 'timestamp,open,high,low,close,volume\n');
    const link = join(dir, 'link.csv');
    symlinkSync(candles, link);
    const over = caught(() => checkReportPaths({ json: join(dir, '.', 'X_USDT-1m.csv') }, [candles]));
    expect(over.code).toBe('ERR_INVALID_OPTION');
    expect(over.message).toBe(
      `--json: ${join(dir, '.', 'X_USDT-1m.csv')} is an input of this run (${candles}); give another file name`,
    );
    expect(caught(() => checkReportPaths({ html: link }, [candles])).message).toContain('is an input');
    const both = caught(() => checkReportPaths({ json: join(dir, 'r.out'), html: join(dir, 'r.out') }));
    expect(both.message).toBe(
      `--html: ${join(dir, 'r.out')} is the --json report of this run (${join(dir, 'r.out')}); give another file name`,
    );
    expect(() =>
      checkReportPaths({ json: join(dir, 'r.json'), html: join(dir, 'r.html') }, [candles]),
    ).not.toThrow();
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

  it('replaces an existing report whole (temp file, then rename): the old one is never seen half-written', () => {
    // A run killed (Ctrl-C) or a disk filling up mid-write must not leave a truncated JSON
    // where the previous run's good report was: the new text goes to a temp file first.
    const folder = join(dir, 'atomic');
    mkdirSync(folder);
    const out = join(folder, 'report.json');
    writeFileSync(out, '{"run":1}\n');
    // A second name of the old file: what a reader that opened it before the write holds.
    linkSync(out, join(folder, 'held.json'));
    writeReportFile(out, '{"run":2}\n');
    expect(readFileSync(out, 'utf8')).toBe('{"run":2}\n');
    expect(readFileSync(join(folder, 'held.json'), 'utf8')).toBe('{"run":1}\n');
    // A report path that is a link keeps being one: the file it points at gets the report.
    const target = join(folder, 'target.json');
    writeFileSync(target, '{}');
    symlinkSync(target, join(folder, 'latest.json'));
    writeReportFile(join(folder, 'latest.json'), '{"run":3}\n');
    expect(lstatSync(join(folder, 'latest.json')).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('{"run":3}\n');
    // Neither a success nor a failure leaves a temp file behind.
    mkdirSync(join(folder, 'taken'));
    expect(caught(() => writeReportFile(join(folder, 'taken'), 'x')).code).toBe('ERR_OUTPUT_WRITE');
    expect(readdirSync(folder).sort()).toEqual([
      'held.json',
      'latest.json',
      'report.json',
      'taken',
      'target.json',
    ]);
  });
});
