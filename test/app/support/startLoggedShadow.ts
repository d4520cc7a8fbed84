import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { TradingRuntime } from '../../../src/app/TradingRuntime.js';
import { AppConfigSchema } from '../../../src/config/configSchema.js';
import type { AppConfig } from '../../../src/config/configSchema.js';

/** A running shadow engine, the folder of its database (the caller removes it) and every line it logged. */
export interface LoggedShadow {
  readonly rt: TradingRuntime;
  readonly dir: string;
  readonly lines: Record<string, unknown>[];
}

/**
 * A shadow engine for the engine-fault tests: the synthetic market, one strategy (`strategy`,
 * registered under that id, no params) on BTC/USDT, its own database in a fresh folder, side
 * services off, every log line kept. 1s bars: the synthetic market replays its history fast for
 * about a minute, then closes one bar per timeframe and market orders fill at the next bar's
 * open; on 1m bars a test reached after the replay waited a minute per fill.
 */
export async function startLoggedShadow(strategy: string): Promise<LoggedShadow> {
  const dir = mkdtempSync(join(tmpdir(), `qts-${strategy}-`));
  const config = loggedShadowConfig(join(dir, 'trading.db'), strategy);
  const lines: Record<string, unknown>[] = [];
  const log = pino(
    { level: 'info' },
    { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) },
  );
  const rt = await TradingRuntime.startShadow(config, { log, noServices: true, noHttp: true });
  return { rt, dir, lines };
}

/** The configuration startLoggedShadow runs (`symbol` BTC/USDT unless given): for a restart on the same file. */
export function loggedShadowConfig(dbPath: string, strategy: string, symbol = 'BTC/USDT'): AppConfig {
  return AppConfigSchema.parse({
    mode: 'shadow',
    marketData: { source: 'synthetic', replayBarsPerSecond: 25 },
    account: { currency: 'USDT', initialCash: 100_000 },
    strategies: [{ id: strategy, strategy, symbols: [symbol], timeframe: '1s', params: {} }],
    storage: { dbPath },
    risk: { priceBandPct: 0.9, maxOrdersPerMinute: 100_000 },
    api: { host: '127.0.0.1', port: 0 },
  });
}
