import { loadConfig } from '../../config/loadConfig.js';
import { loadDotEnv } from '../../config/loadDotEnv.js';
import { TrustedProxies } from '../../api/auth/TrustedProxies.js';
import { QtsError, isQtsError } from '../../core/QtsError.js';
import { DashboardServer } from './DashboardServer.js';
import { WebAssets } from './WebAssets.js';

/** Where the web-dashboard entry reads its settings and writes its one line. */
export interface DashboardEntryOptions {
  /** Defaults to process.env; `.env` fills only what it does not set. */
  readonly env?: NodeJS.ProcessEnv;
  /** Defaults to `.env` in the working folder; absent is fine. */
  readonly dotEnvPath?: string;
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WritableStream;
}

/** The started server, or the exit code of a start that failed (its reason already printed). */
export type DashboardEntryResult =
  { readonly server: DashboardServer; readonly code: 0 } | { readonly server?: undefined; readonly code: 2 };

/**
 * Starts the standalone web-dashboard server the way the engine entries start: `.env` first
 * (PM2 runs both processes from the project folder with the same settings), then the
 * configuration. A bad setting or a taken port ends in one `error ERR_…: …` line and code 2,
 * never a stack trace.
 */
export async function startDashboardEntry(opts: DashboardEntryOptions = {}): Promise<DashboardEntryResult> {
  const env = opts.env ?? process.env;
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  try {
    loadDotEnv(opts.dotEnvPath ?? '.env', env);
    const d = loadConfig({ env }).dashboard;
    const assets = new WebAssets(d.dir);
    const server = await DashboardServer.start({
      host: d.host,
      port: d.port,
      apiUrl: d.apiUrl,
      pushUrl: d.pushUrl,
      assets,
      trustedProxies: new TrustedProxies(d.trustedProxies),
    }).catch((e: unknown) => {
      throw new QtsError(
        'ERR_DASHBOARD_LISTEN',
        `web dashboard cannot listen on ${d.host}:${d.port}: ${(e as Error).message} (dashboard.port, DASHBOARD_PORT)`,
      );
    });
    stdout.write(
      `web dashboard on http://${d.host}:${server.port}/ → API ${d.apiUrl}, push ${d.pushUrl}${assets.available ? '' : ' (NOT BUILT: npm run build:web)'}\n`,
    );
    return { server, code: 0 };
  } catch (e) {
    if (!isQtsError(e)) throw e;
    stderr.write(`error ${e.code}: ${e.message}\n`);
    return { code: 2 };
  }
}
