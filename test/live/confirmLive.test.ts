import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runOverrides } from '../../src/cli/runCommands.js';
import { loadConfig } from '../../src/config/loadConfig.js';
import { EMPTY_CONFIG } from '../support/emptyConfig.js';
import { qtsAsync } from '../support/runQts.js';

const MASTER = 'confirm-live-master-Kq8#long-enough';

interface Run {
  code: number;
  /** stdout then stderr: log lines may go to either. */
  out: string;
}

/** bin/qts.js as a user runs it, with only the given environment (no inherited secrets). */
async function qts(args: string[], env: Record<string, string>, home: string): Promise<Run> {
  const r = await qtsAsync(args, {
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: home,
      QTS_STRATEGIES_DIR: join(home, 'none'),
      LOG_FORMAT: 'json',
      ...env,
    },
  });
  return { code: r.code, out: r.stdout + r.stderr };
}

describe('qts live --confirm-live', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qts-confirm-live-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stands for live.confirmed, like LIVE_TRADING_CONFIRM=yes, and only in live mode', () => {
    const load = (mode: 'shadow' | 'live', confirmLive: boolean, env: NodeJS.ProcessEnv = {}) =>
      loadConfig({
        strategiesDir: join(dir, 'none'),
        env: { QTS_CONFIG: EMPTY_CONFIG, ...env },
        overrides: runOverrides(mode, { confirmLive }),
      }).live.confirmed;
    expect(load('live', false)).toBe(false);
    expect(load('live', true)).toBe(true);
    expect(load('live', false, { LIVE_TRADING_CONFIRM: 'yes' })).toBe(true);
    expect(load('live', false, { LIVE_TRADING_CONFIRM: 'true' })).toBe(false);
    expect(load('shadow', true)).toBe(false);
  });

  it('the real CLI refuses without the confirmation and passes the gate with --confirm-live', async () => {
    const keysFile = join(dir, 'keys.enc.json');
    const enc = await qts(
      ['keys', 'encrypt', '--file', keysFile, '--scrypt-log-n', '14'],
      {
        MASTER_KEY: MASTER,
        EXCHANGE_API_KEY: 'confirm-key-0001',
        EXCHANGE_API_SECRET: 'confirm-secret-0001',
      },
      dir,
    );
    expect(enc.code, enc.out).toBe(0);
    const config = join(dir, 'qts.json');
    writeFileSync(
      config,
      JSON.stringify({
        strategies: [
          {
            id: 'sma',
            strategy: 'sma-cross',
            symbols: ['ETH/USDT'],
            timeframe: '1m',
            params: { fast: 2, slow: 3 },
          },
        ],
        storage: { dbPath: join(dir, 'live.db') },
      }),
    );
    const env = {
      MASTER_KEY: MASTER,
      KEYS_FILE: keysFile,
      API_TOKENS: 'ops:admin:a-long-enough-token-123',
    };
    // Synthetic market data: live mode must refuse it, which proves the start went past every
    // gate before it without needing a network.
    const args = ['live', '--config', config, '--source', 'synthetic', '--port', '0'];
    const refused = await qts(args, env, dir);
    expect(refused.code).toBe(2);
    expect(refused.out).toMatch(/ERR_LIVE_NOT_CONFIRMED/);
    expect(refused.out).toMatch(/--confirm-live/);
    expect(refused.out).not.toMatch(/LIVE TRADING on/);

    const confirmed = await qts([...args, '--confirm-live'], env, dir);
    expect(confirmed.out).not.toMatch(/ERR_LIVE_NOT_CONFIRMED/);
    expect(confirmed.out).toMatch(/LIVE TRADING on binance/);
    expect(confirmed.out).toMatch(/ERR_MARKET_DATA_UNAVAILABLE/);
    expect(confirmed.code).toBe(2);

    const byEnv = await qts(args, { ...env, LIVE_TRADING_CONFIRM: 'yes' }, dir);
    expect(byEnv.out).toMatch(/LIVE TRADING on binance/);
    expect(byEnv.out).not.toMatch(/ERR_LIVE_NOT_CONFIRMED/);
  }, 60_000);
});
