/**
 * Numeric options take plain decimal text only: Number() read `--leverage 0x10` as 16, and
 * `0b11`, `1e1` and ` 5 ` as numbers too. Run in-process through the real `qts` program.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { plainNumber } from '../../src/cli/plainNumber.js';
import { qtsInProcess as run } from '../support/qtsInProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'qts-numeric-options-'));
const file = join(dir, 'BTC_USDT-1h.csv');
writeFileSync(
  file,
  `timestamp,open,high,low,close,volume\n${[0, 1, 2, 3]
    .map((i) => `${Date.UTC(2024, 0, 1, i)},100,101,99,100,10`)
    .join('\n')}\n`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const NOT_PLAIN = ['0x10', '0b11', '0o7', '1e1', ' 5 ', '5abc', '', 'Infinity', '+5', '5.'];

describe('numeric CLI options take plain decimal numbers only', () => {
  it('plainNumber reads digits with an optional fraction and sign, and nothing else', () => {
    expect([plainNumber('16'), plainNumber('0.001'), plainNumber('.5'), plainNumber('-2')]).toEqual([
      16, 0.001, 0.5, -2,
    ]);
    for (const t of NOT_PLAIN) expect(plainNumber(t), JSON.stringify(t)).toBeNaN();
  });

  it('qts backtest --market futures --leverage 0x10 (and the like) is refused naming --leverage', async () => {
    for (const v of ['0x10', '0b11', '1e1', ' 5 ']) {
      const r = await run([
        'backtest',
        '--data',
        file,
        '--strategy',
        'sma-cross',
        '--market',
        'futures',
        '--leverage',
        v,
        '--no-progress',
      ]);
      expect(r.code, v).toBe(2);
      expect(r.stderr).toContain(`error ERR_INVALID_OPTION: --leverage: invalid value "${v}"`);
    }
  });

  it('qts backtest --cash, --commission, --latency, --slippage-bps refuse hex, binary, exponent and padded text', async () => {
    for (const [opt, v] of [
      ['--cash', '0x10'],
      ['--cash', '1e5'],
      ['--commission', '0b0'],
      ['--latency', ' 5 '],
      ['--slippage-bps', '1e1'],
    ] as const) {
      const r = await run(['backtest', '--data', file, '--strategy', 'sma-cross', opt, v, '--no-progress']);
      expect(r.code, `${opt} ${v}`).toBe(2);
      expect(r.stderr).toBe(
        `error ERR_INVALID_OPTION: ${opt}: invalid value "${v}" (a plain decimal number such as 5 or 0.001)\n`,
      );
    }
  });

  it('the research commands refuse them too (qts optimize --seed 0x10)', async () => {
    const r = await run(['optimize', '--data', file, '--strategy', 'sma-cross', '--seed', '0x10']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--seed: invalid value "0x10" (a plain decimal number such as 5 or 0.001)');
  });
});
