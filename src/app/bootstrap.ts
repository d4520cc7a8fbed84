import { existsSync, readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/configSchema.js';
import type { LoadConfigOptions } from '../config/loadConfig.js';
import { loadConfig } from '../config/loadConfig.js';
import { loadDotEnv } from '../config/loadDotEnv.js';
import { QtsError, isQtsError } from '../core/QtsError.js';
import type { AuditSink } from '../monitor/AuditSink.js';
import { NULL_AUDIT } from '../monitor/AuditSink.js';
import { LogFiles } from '../monitor/LogFiles.js';
import { LogTail } from '../monitor/LogTail.js';
import { secretRegistry } from '../monitor/SecretRegistry.js';
import { FileAuditLog } from '../monitor/audit/FileAuditLog.js';
import { createLogger } from '../monitor/createLogger.js';
import {
  registerConfigSecrets,
  registerEnvSecrets,
  registerJsonTextSecrets,
} from '../monitor/registerSecrets.js';
import type { RunningApp } from './startApp.js';
import { startApp, stopOnSignals } from './startApp.js';
import type { RuntimeDeps } from './RuntimeDeps.js';

export interface BootstrapOptions {
  /** Config file and the CLI's overrides. */
  readonly load?: Omit<LoadConfigOptions, 'env'>;
  /** Defaults to process.env; `.env` fills only what it does not set. */
  readonly env?: NodeJS.ProcessEnv;
  /** Defaults to `.env` in the working folder; absent is fine. */
  readonly dotEnvPath?: string;
  readonly now?: () => number;
  /** Where the console log goes (stdout by default: what PM2 and Docker collect). */
  readonly stdout?: NodeJS.WritableStream;
  /** Test hooks passed to the runtime (a fake exchange, no services, …). */
  readonly deps?: Omit<RuntimeDeps, 'log' | 'audit' | 'logTail'>;
}

/** A started process: the app plus the logger and the audit trail it runs with. */
export interface Bootstrapped {
  readonly config: AppConfig;
  readonly app: RunningApp;
  readonly log: Logger;
  readonly audit: AuditSink;
  /** Stops the app, then closes the audit trail and the log files. */
  stop(): Promise<void>;
}

/**
 * The one start sequence of every engine entry (`npm start`, `qts shadow|live|api`):
 * `.env`, secrets registered for scrubbing before anything can print them, configuration,
 * logger (console + daily files + in-memory tail), audit trail, then the app.
 */
export async function bootstrap(opts: BootstrapOptions = {}): Promise<Bootstrapped> {
  const env = opts.env ?? process.env;
  const now = opts.now ?? (() => Date.now());
  const fromDotEnv = loadDotEnv(opts.dotEnvPath ?? '.env', env);
  registerEnvSecrets(env, secretRegistry);
  const file = opts.load?.file ?? env['QTS_CONFIG'] ?? 'config/qts.json';
  if (existsSync(file)) registerJsonTextSecrets(readFileSync(file, 'utf8'), secretRegistry);
  const config = loadConfig({ ...opts.load, env });
  registerConfigSecrets(config, secretRegistry);

  const logFiles = config.log.files
    ? inFolder('ERR_LOG_DIR', 'log.dir (LOG_DIR)', config.log.dir, () => {
        return new LogFiles({
          dir: config.log.dir,
          now,
          retainDays: config.log.retainDays,
          onError: (e) => process.stderr.write(`log file: ${secretRegistry.scrub(e.message)}\n`),
        });
      })
    : undefined;
  const logTail = new LogTail();
  const log = createLogger({
    level: config.log.level,
    format: config.log.format,
    tail: logTail,
    ...(logFiles ? { files: logFiles } : {}),
    ...(opts.stdout ? { destination: opts.stdout } : {}),
  });
  if (fromDotEnv.length > 0) log.info({ names: fromDotEnv }, `.env: ${fromDotEnv.length} settings loaded`);

  let fileAudit: FileAuditLog | undefined;
  try {
    fileAudit = config.audit.enabled
      ? inFolder('ERR_AUDIT_DIR', 'audit.dir (AUDIT_DIR)', config.audit.dir, () =>
          FileAuditLog.open({
            dir: config.audit.dir,
            now,
            fsync: config.audit.fsync,
            onError: (err) => log.error({ err }, 'audit record could not be written'),
          }),
        )
      : undefined;
  } catch (e) {
    logFiles?.close();
    throw e;
  }
  if (fileAudit?.tornTail !== undefined)
    log.warn(
      { tornTail: fileAudit.tornTail },
      'audit: a partial last line from a crash was set aside; the chain continues from the last intact record',
    );
  const audit: AuditSink = fileAudit ?? NULL_AUDIT;
  const closeAll = (): void => {
    fileAudit?.close();
    logFiles?.close();
  };
  audit.record('app.started', { mode: config.mode, pid: process.pid, node: process.version }, 'system');

  let app: RunningApp;
  try {
    app = await startApp(config, { ...opts.deps, log, logTail, audit });
  } catch (e) {
    if (isQtsError(e)) log.error({ code: e.code }, `${e.code}: ${e.message}`);
    else log.fatal({ err: e }, 'start failed');
    audit.record(
      'app.start_failed',
      { code: isQtsError(e) ? e.code : 'ERR_INTERNAL', message: (e as Error).message },
      'system',
    );
    closeAll();
    throw e;
  }
  let stopped: Promise<void> | undefined;
  return {
    config,
    app,
    log,
    audit,
    stop(): Promise<void> {
      stopped ??= app.stop().finally(() => {
        audit.record('app.stopped', { mode: config.mode }, 'system');
        closeAll();
      });
      return stopped;
    },
  };
}

/**
 * Opens what lives in a configured folder; a folder that cannot be created or written (a
 * file in the way, no permission) is a setting to fix, so it is named as one, not thrown as
 * a file-system stack trace. Coded errors (a locked or tampered audit trail) pass unchanged.
 */
function inFolder<T>(code: string, setting: string, dir: string, open: () => T): T {
  try {
    return open();
  } catch (e) {
    if (isQtsError(e) || typeof (e as NodeJS.ErrnoException).code !== 'string') throw e;
    throw new QtsError(code, `${setting} ${dir} cannot be used: ${(e as Error).message}`, { dir });
  }
}

/**
 * Runs an engine entry to completion: starts it, stops it cleanly on SIGINT/SIGTERM, and
 * turns an expected start failure into a coded message and exit code 2. Secrets are scrubbed
 * from whatever it prints, including a crash's stack. Returns the exit code of a failed start,
 * or 0 once the app runs.
 */
export async function runEntry(opts: BootstrapOptions = {}): Promise<number> {
  installCrashHandlers();
  // SIGINT/SIGTERM while the engine starts (a warm-up waiting on the exchange): the start
  // ends early and the engine stops cleanly, instead of the process dying mid-start.
  const stopAsked = new AbortController();
  const askStop = (): void => stopAsked.abort();
  process.once('SIGINT', askStop);
  process.once('SIGTERM', askStop);
  let started: Bootstrapped;
  try {
    started = await bootstrap({ ...opts, deps: { ...opts.deps, signal: stopAsked.signal } });
  } catch (e) {
    // A half-started engine (a feed already polling) must not linger as a live-looking process.
    setTimeout(() => process.exit(), 2_000).unref();
    if (!isQtsError(e)) {
      const err = e as Error;
      process.stderr.write(`fatal: ${secretRegistry.scrub(err.stack ?? String(e))}\n`);
      return 1;
    }
    process.stderr.write(`error ${e.code}: ${secretRegistry.scrub(e.message)}\n`);
    return 2;
  } finally {
    process.off('SIGINT', askStop);
    process.off('SIGTERM', askStop);
  }
  crashLog = started.log;
  if (stopAsked.signal.aborted) {
    await started.stop();
    started.log.info('stopped cleanly');
    return 0;
  }
  stopOnSignals({ port: started.app.port, stop: () => started.stop() }, started.log);
  return 0;
}

let crashLog: Logger | undefined;
let crashHandlersInstalled = false;

/** An unexpected crash is logged (scrubbed) and ends the process with code 1. */
function installCrashHandlers(): void {
  if (crashHandlersInstalled) return;
  crashHandlersInstalled = true;
  process.on('uncaughtException', (err) => {
    const text = secretRegistry.scrub(err.stack ?? err.message);
    crashLog?.fatal({ err }, 'crashed');
    process.stderr.write(`fatal: ${text}\n`);
    process.exit(1);
  });
}
