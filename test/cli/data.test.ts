import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isQtsError } from '../../src/core/QtsError.js';
import { registerDataCommand } from '../../src/cli/dataCommand.js';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import type { QtsRun } from '../support/runQts.js';
import { qts as runQts } from '../support/runQts.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';

const ADA = sharedFile('crypto/spot-5m/ADA_BTC-5m.csv');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'qts-data-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `qts data …` in this process against a program holding only the data command. */
async function runInProcess(args: string[]): Promise<{ stdout: string; stderr: string; error: unknown }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const program = new Command('qts').exitOverride();
  registerDataCommand(program);
  let error: unknown;
  try {
    await program.parseAsync(['data', ...args], { from: 'user' });
  } catch (e) {
    error = e;
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return { stdout, stderr, error };
}

/** Runs the real `qts` binary, as a user would, in this test's folder. */
function qts(args: string[]): QtsRun {
  return runQts(args, { cwd: dir });
}

describe.skipIf(!HAS_SHARED_DATA)('qts data (in process)', () => {
  it('import → gaps → export reproduces the file bit for bit and reports the 40 missing bars', async () => {
    const db = join(dir, 'data', 'trading.db');
    const imported = await runInProcess(['import', '--file', ADA, '--exchange', 'binance', '--db', db]);
    expect(imported.error).toBeUndefined();
    expect(imported.stdout).toMatch(
      /ADA_BTC-5m\.csv → binance ADA\/BTC 5m: 5720 rows \(5720 new, 0 updated, 0 unchanged\)/,
    );
    expect(imported.stderr).toContain('warning: ');
    expect(imported.stderr).toContain('40 missing 5m bars in 5 gaps');

    const again = await runInProcess([
      'import',
      '--file',
      ADA,
      '--exchange',
      'binance',
      '--db',
      db,
      '--json',
    ]);
    const [result] = JSON.parse(again.stdout) as { inserted: number; unchanged: number; symbol: string }[];
    expect(result).toMatchObject({ symbol: 'ADA/BTC', inserted: 0, unchanged: 5720 });

    const gaps = await runInProcess([
      'gaps',
      '--exchange',
      'binance',
      '--symbol',
      'ADA/BTC',
      '--timeframe',
      '5m',
      '--db',
      db,
    ]);
    expect(gaps.error).toBeUndefined();
    expect(gaps.stdout).toMatch(/binance ADA\/BTC 5m: 5720 bars .* 40 missing in 5 gaps/);
    expect(gaps.stdout).toContain('2018-01-15T12:00:00.000Z … 2018-01-15T14:40:00.000Z  33 bars');

    const out = join(dir, 'export', 'ADA_BTC-5m.csv');
    const exported = await runInProcess([
      'export',
      '--exchange',
      'binance',
      '--symbol',
      'ADA/BTC',
      '--timeframe',
      '5m',
      '--out',
      out,
      '--db',
      db,
    ]);
    expect(exported.error).toBeUndefined();
    expect(exported.stdout).toContain(`${out}: 5720 rows`);
    const original = loadBarSeries(ADA).series;
    const roundTrip = loadBarSeries(out).series;
    expect(roundTrip).toEqual(original);

    const window = await runInProcess([
      'export',
      '--exchange',
      'binance',
      '--symbol',
      'ADA/BTC',
      '--timeframe',
      '5m',
      '--out',
      out,
      '--db',
      db,
      '--from',
      '2018-01-15',
      '--to',
      '2018-01-16',
      '--json',
    ]);
    expect(JSON.parse(window.stdout)).toMatchObject({ first: '2018-01-15T00:00:00.000Z' });
    expect(
      loadBarSeries(out).series.ts.every((t) => t >= Date.UTC(2018, 0, 15) && t < Date.UTC(2018, 0, 16)),
    ).toBe(true);
  });

  it('an unknown series is ERR_DATA_NOT_FOUND listing what is stored; a missing database is ERR_DB_OPEN', async () => {
    const db = join(dir, 'trading.db');
    await runInProcess(['import', '--file', ADA, '--exchange', 'binance', '--db', db]);
    const r = await runInProcess([
      'gaps',
      '--exchange',
      'binance',
      '--symbol',
      'ADA/USDT',
      '--timeframe',
      '5m',
      '--db',
      db,
    ]);
    expect(isQtsError(r.error, 'ERR_DATA_NOT_FOUND')).toBe(true);
    expect((r.error as Error).message).toContain('stored: binance ADA/BTC 5m');
    const missing = await runInProcess([
      'export',
      '--exchange',
      'binance',
      '--symbol',
      'ADA/BTC',
      '--timeframe',
      '5m',
      '--out',
      join(dir, 'x.csv'),
      '--db',
      join(dir, 'nope.db'),
    ]);
    expect(isQtsError(missing.error, 'ERR_DB_OPEN')).toBe(true);
    const badDate = await runInProcess([
      'gaps',
      '--exchange',
      'binance',
      '--symbol',
      'ADA/BTC',
      '--timeframe',
      '5m',
      '--db',
      db,
      '--from',
      'yesterday',
    ]);
    expect(isQtsError(badDate.error, 'ERR_INVALID_OPTION')).toBe(true);
  });
});

describe.skipIf(!HAS_SHARED_DATA)('qts data (real binary)', () => {
  it('import, gaps and export run end to end with the default database path', () => {
    const imported = qts(['data', 'import', '--file', ADA, '--exchange', 'binance']);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('5720 rows (5720 new');
    const gaps = qts([
      'data',
      'gaps',
      '--exchange',
      'binance',
      '--symbol',
      'ADA/BTC',
      '--timeframe',
      '5m',
      '--json',
    ]);
    expect(gaps.code).toBe(0);
    expect(JSON.parse(gaps.stdout)).toMatchObject({ present: 5720, missing: 40 });
    const out = join(dir, 'ada.csv');
    const exported = qts([
      'data',
      'export',
      '--exchange',
      'binance',
      '--symbol',
      'ADA/BTC',
      '--timeframe',
      '5m',
      '--out',
      out,
    ]);
    expect(exported.code).toBe(0);
    // The file name says nothing of the symbol: name it when reading back.
    expect(loadBarSeries(out, { symbol: 'ADA/BTC' }).series).toEqual(loadBarSeries(ADA).series);
    const unknown = qts(['data', 'gaps', '--exchange', 'kraken', '--symbol', 'ADA/BTC', '--timeframe', '5m']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/error ERR_DATA_NOT_FOUND: no candles for kraken ADA\/BTC 5m/);
  });
});
