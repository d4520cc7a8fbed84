import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Bar } from '../../src/model/Bar.js';
import { Strategy } from '../../src/strategy/Strategy.js';

/** A strategy with a bug: its third bar throws. */
class Buggy extends Strategy<Record<string, never>> {
  static readonly id = 'buggy';
  static readonly description = 'throws on its third bar';
  static readonly paramsSchema = z.object({});
  private seen = 0;
  override onBar(_bar: Bar): void {
    this.seen += 1;
    if (this.seen === 3) throw new Error('boom');
  }
}

// `--strategy buggy` loads the strategy above (only built-in ids are taken on the command line).
vi.mock('../../src/strategies/loadStrategy.js', async (original) => ({
  ...(await original<Record<string, unknown>>()),
  loadStrategy: () => Promise.resolve(Buggy),
}));

const { main } = await import('../../src/cli/program.js');

const dirs: string[] = [];
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Runs `qts backtest` in-process on five hourly bars; what it printed on stderr and its exit code. */
async function backtestBuggy(): Promise<{ code: number; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'qts-strategy-failure-'));
  dirs.push(dir);
  const file = join(dir, 'BTC_USDT-1h.csv');
  const rows = [0, 1, 2, 3, 4].map((i) => `${Date.UTC(2024, 0, 1, i)},100,101,99,100,10`);
  writeFileSync(file, `timestamp,open,high,low,close,volume\n${rows.join('\n')}\n`);
  let stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const code = await main([
    'node',
    'qts',
    'backtest',
    '--data',
    file,
    '--strategy',
    'buggy',
    '--no-progress',
  ]);
  return { code, stderr };
}

describe('qts backtest with a strategy that throws', () => {
  it('ends with ERR_STRATEGY_FAILED naming strategy, hook, symbol and bar time, exit 2, no stack', async () => {
    vi.stubEnv('LOG_LEVEL', 'info');
    const r = await backtestBuggy();
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error ERR_STRATEGY_FAILED: strategy buggy failed in onBar (BTC/USDT 2024-01-01T02:00:00.000Z): boom\n',
    );
  });

  it('prints the stack of the strategy error too when LOG_LEVEL=debug', async () => {
    vi.stubEnv('LOG_LEVEL', 'debug');
    const r = await backtestBuggy();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error ERR_STRATEGY_FAILED: strategy buggy failed in onBar');
    expect(r.stderr).toMatch(/Error: boom\n\s+at Buggy\.onBar/);
  });
});
