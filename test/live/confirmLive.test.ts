import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runOverrides } from '../../src/cli/runCommands.js';
import { loadConfig } from '../../src/config/loadConfig.js';
import { EMPTY_CONFIG } from '../support/emptyConfig.js';

const ROOT = resolve(import.meta.dirname, '../..');
const MASTER = 'confirm-live-master-Kq8#long-enough';

interface Run {
  status: number | null;
  out: string;
}

/** bin/qts.js as a user runs it, with only the given environment (no inherited secrets). */
function qts(args: string[], env: Record<string, string>, home: string): Promise<Run> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/qts.js'), ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: home,
      QTS_STRATEGIES_DIR: join(home, 'none'),
      LOG_FORMAT: 'json',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((done) => child.on('close', (status) => done({ status, out })));
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
    expect(enc.status, enc.out).toBe(0);
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
    expect(refused.status).toBe(2);
    expect(refused.out).toMatch(/ERR_LIVE_NOT_CONFIRMED/);
    expect(refused.out).toMatch(/--confirm-live/);
    expect(refused.out).not.toMatch(/LIVE TRADING on/);

    const confirmed = await qts([...args, '--confirm-live'], env, dir);
    expect(confirmed.out).not.toMatch(/ERR_LIVE_NOT_CONFIRMED/);
    expect(confirmed.out).toMatch(/LIVE TRADING on binance/);
    expect(confirmed.out).toMatch(/ERR_MARKET_DATA_UNAVAILABLE/);
    expect(confirmed.status).toBe(2);

    const byEnv = await qts(args, { ...env, LIVE_TRADING_CONFIRM: 'yes' }, dir);
    expect(byEnv.out).toMatch(/LIVE TRADING on binance/);
    expect(byEnv.out).not.toMatch(/ERR_LIVE_NOT_CONFIRMED/);
  }, 60_000);
});
