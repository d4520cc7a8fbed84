import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { streamedFile } from '../../src/cli/backtestCommand.js';
import { CandleCsvStream } from '../../src/data/CandleCsvStream.js';
import { tempFiles } from '../data/tempFiles.js';
import { qts } from '../support/runQts.js';
import { candleCsvText, WALK_T0, walkCandleRows } from '../support/walkCandleCsv.js';

// `qts backtest` reads a candle CSV of 8 MiB or more on a second thread while the run goes
// (CandleCsvStream). `--from` at the first bar makes the same run load the file whole first:
// the two must agree on everything, however the file is.

const files = tempFiles('streamed-cli');
afterAll(() => files.remove());

const MINUTE = 60_000;
const ROWS = 90_000;

/** ~9.5 MB of 1m candles with one 3-bar gap, edited by `edit`. */
function csv(edit: (rows: string[]) => void = () => {}): string {
  const rows = walkCandleRows(ROWS, { gapAfter: 5000 });
  edit(rows);
  return candleCsvText(rows);
}

/** The run as streamed and as loaded whole: exit code, stdout, stderr and JSON report of each. */
function bothWays(name: string): { streamed: ReturnType<typeof run>; whole: ReturnType<typeof run> } {
  const data = join(files.dir, name);
  return {
    streamed: run(data, `${name}.streamed.json`, []),
    whole: run(data, `${name}.whole.json`, ['--from', '2023-12-31']),
  };
}

function run(
  data: string,
  report: string,
  extra: string[],
): { code: number; stdout: string; stderr: string; json: string } {
  const out = join(files.dir, report);
  const r = qts([
    'backtest',
    ...['--data', data, '--strategy', 'sma-cross', '--params', 'fast=10,slow=30', '--fill', 'close'],
    ...['--commission', '0.001', '--sizing', 'all-in', '--lot', '0.001', '--no-progress', '--json', out],
    ...extra,
  ]);
  let json = '';
  try {
    json = readFileSync(out, 'utf8');
  } catch {
    // No report: the run failed, as its code and stderr say.
  }
  return { ...r, json };
}

describe('qts backtest on a large CSV read while the run goes', () => {
  it('streams the file without --from and loads it whole with it (what the comparisons rest on)', async () => {
    const data = files.write('STREAM_USDT-1m.csv', csv());
    expect(streamedFile({ data: [data] })).toBe(data);
    expect(streamedFile({ data: [data], from: '2023-12-31' })).toBeUndefined();
    expect(streamedFile({ data: [`${data},${data}`] })).toBeUndefined();
    expect(streamedFile({ data: [data], timeframe: '5m' })).toBeUndefined();
    expect(streamedFile({ data: [data], market: 'futures' })).toBeUndefined();
    expect(streamedFile({ data: ['XRP_USDT_USDT-5m-futures.csv'] })).toBeUndefined();
    const stream = CandleCsvStream.start(data);
    expect(stream).toBeDefined();
    expect((await stream?.columns())?.length).toBe(ROWS);
    stream?.stop();
  });

  it('reports byte for byte what the whole-file load reports, gap warning included', () => {
    files.write('STREAM_USDT-1m.csv', csv());
    const { streamed, whole } = bothWays('STREAM_USDT-1m.csv');
    expect(streamed.code).toBe(0);
    expect(streamed.json).toBe(whole.json);
    expect(streamed.stdout).toBe(whole.stdout);
    expect(streamed.stderr).toBe(whole.stderr);
    expect(streamed.stderr).toContain('missing 1m bars');
    const report = JSON.parse(streamed.json) as {
      orders: number;
      warnings: string[];
      stats: { bars: number };
    };
    expect(report.stats.bars).toBe(ROWS);
    expect(report.orders).toBeGreaterThan(100);
    expect(report.warnings).toHaveLength(1);
  });

  it('falls back to the whole-file load for rows out of order, and says it sorted them', () => {
    files.write(
      'UNSORTED_USDT-1m.csv',
      csv((r) => r.splice(80_000, 2, r[80_001] as string, r[80_000] as string)),
    );
    const { streamed, whole } = bothWays('UNSORTED_USDT-1m.csv');
    expect(streamed.code).toBe(0);
    expect(streamed.stderr).toContain('sorted by time');
    expect(streamed.json).toBe(whole.json);
    expect(streamed.stdout).toBe(whole.stdout);
  });

  it('names the line of a malformed row near the end, as the whole-file load does', () => {
    files.write(
      'BROKEN_USDT-1m.csv',
      csv((r) => (r[85_000] = `${WALK_T0 + 85_003 * MINUTE},1,2,oops,1,1`)),
    );
    const { streamed, whole } = bothWays('BROKEN_USDT-1m.csv');
    expect(streamed.code).toBe(2);
    expect(streamed.stderr).toBe(whole.stderr);
    expect(streamed.stderr).toContain('BROKEN_USDT-1m.csv:85002:');
    expect(streamed.json).toBe('');
  });
});
