/**
 * `--params` given more than once: commander kept the last one only, so
 * `--params fast=5 --params slow=20` ran with the default fast and no word said. Run in-process
 * through the real `qts` program.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { qtsInProcess as run } from '../support/qtsInProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'qts-repeated-params-'));
const file = join(dir, 'BTC_USDT-1h.csv');
writeFileSync(
  file,
  `timestamp,open,high,low,close,volume\n${Array.from({ length: 40 }, (_, i) => {
    const c = 100 + 10 * Math.sin(i / 4);
    return `${Date.UTC(2024, 0, 1, i)},${c},${c + 1},${c - 1},${c},10`;
  }).join('\n')}\n`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe('qts backtest --params given more than once', () => {
  const base = ['backtest', '--data', file, '--strategy', 'sma-cross', '--no-progress'];

  it('takes the parameters of every --params, as one list', async () => {
    const json = join(dir, 'two.json');
    const r = await run([...base, '--params', 'fast=3', '--params', 'slow=7', '--json', json]);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(readFileSync(json, 'utf8')) as { params: unknown }).params).toEqual({
      fast: 3,
      slow: 7,
    });
  });

  it('refuses one name in two of them, as within one list', async () => {
    const r = await run([...base, '--params', 'fast=3,slow=7', '--params', 'fast=4']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error ERR_INVALID_PARAMS: parameter "fast" is given twice: which one is meant?\n');
  });
});
