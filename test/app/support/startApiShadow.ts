import pino from 'pino';
import { TradingRuntime } from '../../../src/app/TradingRuntime.js';
import type { AppConfig } from '../../../src/config/configSchema.js';
import type { RecordingAudit } from './RecordingAudit.js';
import { client, until } from './http.js';

/**
 * A shadow runtime for REST tests: side services off (metrics, push, … have their own tests
 * and ports), silent log, a client on its port, and the first bar of `symbol` already seen.
 */
export async function startApiShadow(
  config: AppConfig,
  audit: RecordingAudit,
  symbol: string,
): Promise<{ rt: TradingRuntime; call: ReturnType<typeof client> }> {
  const rt = await TradingRuntime.startShadow(config, {
    log: pino({ level: 'silent' }),
    audit,
    noServices: true,
  });
  const call = client(`http://127.0.0.1:${rt.port}`);
  await until(() => rt.node.lastPrice(symbol) !== undefined, 'the first bar');
  return { rt, call };
}
