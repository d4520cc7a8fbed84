import { startApp, stopOnSignals } from './app/startApp.js';
import { loadConfig } from './config/loadConfig.js';
import { isQtsError } from './core/QtsError.js';
import { LogTail } from './monitor/LogTail.js';
import { createLogger } from './monitor/createLogger.js';

/**
 * The trading-engine entry (`npm start`, PM2's trading-engine): the mode comes from
 * TRADING_MODE or config/qts.json, shadow by default.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logTail = new LogTail();
  const log = createLogger({ ...config.log, tail: logTail });
  try {
    const app = await startApp(config, { log, logTail });
    stopOnSignals(app, log);
  } catch (e) {
    if (!isQtsError(e)) throw e;
    log.error({ code: e.code }, `${e.code}: ${e.message}`);
    process.exitCode = 2;
  }
}

main().catch((e: unknown) => {
  if (isQtsError(e)) {
    process.stderr.write(`error ${e.code}: ${e.message}\n`);
    process.exitCode = 2;
    return;
  }
  throw e;
});
