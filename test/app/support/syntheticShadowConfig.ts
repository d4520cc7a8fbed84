import type { AppConfig } from '../../../src/config/configSchema.js';
import { AppConfigSchema } from '../../../src/config/configSchema.js';

/** One strategy instance of a test engine, on BTC/USDT 1m. */
export interface TestDeployment {
  readonly id: string;
  readonly strategy: string;
  readonly params: Record<string, unknown>;
}

/**
 * A shadow engine for the app tests that need no exchange: a seeded synthetic market closing
 * `barsPerSecond` 1m bars a second, 100,000 USDT, one strategy on BTC/USDT, its own database,
 * the API on a free loopback port. `extra` adds or replaces top-level sections (risk, api, …).
 */
export function syntheticShadowConfig(
  dbPath: string,
  deployment: TestDeployment,
  extra: Record<string, unknown> = {},
  barsPerSecond = 25,
): AppConfig {
  return AppConfigSchema.parse({
    mode: 'shadow',
    marketData: { source: 'synthetic', replayBarsPerSecond: barsPerSecond },
    account: { currency: 'USDT', initialCash: 100_000 },
    strategies: [{ ...deployment, symbols: ['BTC/USDT'], timeframe: '1m' }],
    storage: { dbPath },
    api: { host: '127.0.0.1', port: 0 },
    ...extra,
  });
}
