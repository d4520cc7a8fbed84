/**
 * `qts backtest --json -`: the report on stdout, as `-` means to every Unix tool, instead of a
 * file named "-" in the working folder. stdout then carries the JSON alone (the summary goes to
 * stderr, as the progress bar and the warnings do), so `| jq` reads it whole.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { qts } from '../support/runQts.js';

const dir = mkdtempSync(join(tmpdir(), 'qts-json-stdout-'));
const file = join(dir, 'BTC_USDT-1h.csv');
writeFileSync(
  file,
  `timestamp,open,high,low,close,volume\n${Array.from({ length: 60 }, (_, i) => {
    const c = 100 + 10 * Math.sin(i / 4);
    return `${Date.UTC(2024, 0, 1, i)},${c},${c + 1},${c - 1},${c},10`;
  }).join('\n')}\n`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('qts backtest --json -', () => {
  it('writes the report to stdout alone, the summary to stderr, and no file named "-"', () => {
    const r = qts(
      ['backtest', '--data', file, '--strategy', 'sma-cross', '--params', 'fast=3,slow=7', '--json', '-'],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, '-'))).toBe(false);
    const report = JSON.parse(r.stdout) as { tradeLogSha256: string; finalEquity: number };
    expect(report.finalEquity).toBeGreaterThan(0);
    expect(r.stderr).toContain(`trade log sha256  ${report.tradeLogSha256}`);
  });
});
