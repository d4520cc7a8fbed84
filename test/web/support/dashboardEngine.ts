import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { TradingRuntime } from '../../../src/app/TradingRuntime.js';
import { AppConfigSchema } from '../../../src/config/configSchema.js';
import { LogTail } from '../../../src/monitor/LogTail.js';
import { RecordingAudit } from '../../app/support/RecordingAudit.js';
import { SHARED_DATA, sharedFile } from '../../support/sharedData.js';

export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);

export const TOKENS = {
  viewer: { name: 'vera', token: 'viewer-token-0123456789abcdef' },
  trader: { name: 'tom', token: 'trader-token-0123456789abcdef' },
  admin: { name: 'ada', token: 'admin-token-0123456789abcdef' },
} as const;

export const SYMBOL = 'XRP/ETH';
export const REPLAY = sharedFile('crypto/spot-1m/XRP_ETH-1m.csv');
/** The backtest file, relative to api.backtestDataDir (the shared data folder). */
export const BACKTEST_FILE = 'crypto/spot-1m/XRP_ETH-1m.csv';

/** Builds the dashboard from the current sources into a temporary folder (never into the tree). */
export function buildWeb(): string {
  const out = mkdtempSync(join(tmpdir(), 'qts-web-build-'));
  const root = resolve(import.meta.dirname, '../../..');
  const r = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      join(root, 'web/vite.config.ts'),
      '--outDir',
      out,
      '--emptyOutDir',
      '--logLevel',
      'error',
    ],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`vite build failed: ${r.stderr}`);
  return out;
}

/**
 * A real shadow engine on replayed history (XRP/ETH 1m from the shared data), with a
 * crossover strategy that fills (chart markers) and a grid that rests limit orders (to
 * cancel), every side service (push included) on free loopback ports, and a token per role.
 */
export async function startDashboardEngine(
  webDir: string,
  /** Session length (api.jwt.ttlSeconds, at least 10): short to see a session end. */
  sessionTtlSeconds = 900,
): Promise<{ rt: TradingRuntime; audit: RecordingAudit; url: string }> {
  const audit = new RecordingAudit();
  const logTail = new LogTail();
  const config = AppConfigSchema.parse({
    mode: 'shadow',
    marketData: { source: 'replay', replayFiles: [REPLAY], replayBarsPerSecond: 12 },
    account: { currency: 'ETH', initialCash: 10, commission: 0.001 },
    strategies: [
      {
        id: 'sma-xrp',
        strategy: 'sma-cross',
        symbols: [SYMBOL],
        timeframe: '1m',
        params: { fast: 3, slow: 8 },
        sizing: 'fixed:100',
      },
      {
        id: 'grid-xrp',
        strategy: 'grid',
        symbols: [SYMBOL],
        timeframe: '1m',
        params: { levels: 3, spacingPct: 5, orderSize: 0.1 },
      },
    ],
    storage: { dbPath: join(mkdtempSync(join(tmpdir(), 'qts-web-e2e-')), 'trading.db') },
    risk: { staleDataMs: 600_000, priceBandPct: 0.5, maxOrdersPerMinute: 1_000_000 },
    api: {
      host: '127.0.0.1',
      port: 0,
      tokens: Object.entries(TOKENS).map(([role, t]) => ({ name: t.name, role, token: t.token })),
      jwt: { secret: 'dashboard-e2e-secret-0123456789abcdef', ttlSeconds: sessionTtlSeconds },
      rateLimit: { max: 1_000_000, authFailures: 1_000_000 },
      backtestDataDir: SHARED_DATA,
    },
    metrics: { enabled: false },
    notifications: {},
    log: { files: false },
    audit: { enabled: false },
    dashboard: { dir: webDir },
  });
  const rt = await TradingRuntime.startShadow(config, {
    log: pino({ level: 'info' }, logTail),
    audit,
    logTail,
  });
  return { rt, audit, url: `http://127.0.0.1:${rt.port}` };
}
