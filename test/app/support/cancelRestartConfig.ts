import type { AppConfig } from '../../../src/config/configSchema.js';
import { syntheticShadowConfig } from './syntheticShadowConfig.js';

/**
 * Three limit buys 20, 40 and 60 % below the first close: they rest, nothing fills them (the
 * fat-finger band would deny buys that far from the market).
 */
export function cancelRestartConfig(dbPath: string): AppConfig {
  return syntheticShadowConfig(
    dbPath,
    { id: 'grid', strategy: 'grid', params: { levels: 3, spacingPct: 20, orderSize: 0.1 } },
    { risk: { priceBandPct: 0.9 } },
  );
}
