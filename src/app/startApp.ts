import type { Logger } from 'pino';
import type { AppConfig } from '../config/configSchema.js';
import { secretRegistry } from '../monitor/SecretRegistry.js';
import { loadExchangeCredentials } from '../security/loadExchangeCredentials.js';
import { ApiRuntime } from './ApiRuntime.js';
import { checkLiveStart } from './checkLiveStart.js';
import { liveVariant } from './liveVariant.js';
import type { RuntimeDeps } from './RuntimeDeps.js';
import { TradingRuntime } from './TradingRuntime.js';

const registerSecrets = { onSecret: (s: string) => secretRegistry.register(s) };

/** A started engine of any mode. */
export interface RunningApp {
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * The composition root: the one place the mode is chosen. Below it nothing asks which
 * mode it runs in — shadow and live differ only by the execution client and clock wired here.
 */
export async function startApp(config: AppConfig, deps: RuntimeDeps): Promise<RunningApp> {
  switch (config.mode) {
    case 'shadow':
      return TradingRuntime.startShadow(config, deps);
    case 'live': {
      // The keys are decrypted first, so a wrong or missing MASTER_KEY or a tampered keys file
      // is refused with its own message before anything else starts.
      const keys = await loadExchangeCredentials(config, process.env, registerSecrets);
      deps.log.info({ exchange: keys.exchange }, 'exchange keys decrypted in memory');
      checkLiveStart(config);
      deps.log.warn(
        { exchange: config.exchange.id, sandbox: config.exchange.sandbox },
        `LIVE TRADING on ${config.exchange.id}${config.exchange.sandbox ? ' (testnet)' : ''}`,
      );
      return TradingRuntime.start(config, deps, liveVariant(keys, deps.tradingExchangeFactory));
    }
    case 'api':
      return ApiRuntime.start(config, deps.log, {
        ...(deps.audit ? { audit: deps.audit } : {}),
        ...(deps.noServices ? { noServices: true } : {}),
        ...(deps.logTail ? { logTail: deps.logTail } : {}),
        ...(deps.instrumentApi ? { instrumentApi: deps.instrumentApi } : {}),
      });
  }
}

/** Stops the app on SIGINT/SIGTERM, once, and logs how it ended. */
export function stopOnSignals(app: RunningApp, log: Logger): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping`);
    app.stop().then(
      () => log.info('stopped cleanly'),
      (err: unknown) => {
        log.error({ err }, 'error while stopping');
        process.exitCode = 1;
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
