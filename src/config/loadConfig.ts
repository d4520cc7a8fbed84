import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { QtsError } from '../core/QtsError.js';
import type { AppConfig } from './configSchema.js';
import { AppConfigSchema, DEFAULT_PORTS, StrategyDeploymentSchema } from './configSchema.js';

export interface LoadConfigOptions {
  /** Main config file; default config/qts.json (optional) or $QTS_CONFIG. */
  file?: string;
  /** Folder of one-strategy JSON files; default config/strategies. */
  strategiesDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Explicit overrides (the CLI's flags), applied last. */
  overrides?: Record<string, unknown>;
}

/** Environment variables a user may set, and the config path each one overrides. */
export const ENV_OVERRIDES: Readonly<Record<string, { path: string[]; parse: (v: string) => unknown }>> = {
  TRADING_MODE: { path: ['mode'], parse: (v) => v },
  EXCHANGE: { path: ['exchange', 'id'], parse: (v) => v },
  EXCHANGE_SANDBOX: { path: ['exchange', 'sandbox'], parse: (v) => v === 'true' || v === '1' },
  MARKET_DATA_SOURCE: { path: ['marketData', 'source'], parse: (v) => v },
  REPLAY_FILES: { path: ['marketData', 'replayFiles'], parse: (v) => v.split(',').filter(Boolean) },
  ACCOUNT_CURRENCY: { path: ['account', 'currency'], parse: (v) => v },
  INITIAL_CASH: { path: ['account', 'initialCash'], parse: Number },
  API_HOST: { path: ['api', 'host'], parse: (v) => v },
  API_PORT: { path: ['api', 'port'], parse: Number },
  DB_PATH: { path: ['storage', 'dbPath'], parse: (v) => v },
  LOG_LEVEL: { path: ['log', 'level'], parse: (v) => v },
  LOG_FORMAT: { path: ['log', 'format'], parse: (v) => v },
};

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    throw new QtsError('ERR_CONFIG_FILE', `${path}: ${(e as Error).message}`, { file: path });
  }
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

/**
 * The one place settings are read: config file, then one file per strategy under
 * config/strategies, then environment variables, then explicit overrides — validated by
 * zod as a whole. A bad value fails with ERR_CONFIG naming its path.
 */
export function loadConfig(opts: LoadConfigOptions = {}): AppConfig {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env['QTS_CONFIG'] ?? 'config/qts.json';
  const raw: Record<string, unknown> = existsSync(file)
    ? ((readJson(file) as Record<string, unknown>) ?? {})
    : {};
  if (opts.file !== undefined && !existsSync(opts.file)) {
    throw new QtsError('ERR_CONFIG_FILE', `config file not found: ${opts.file}`, { file: opts.file });
  }
  const dir = opts.strategiesDir ?? env['QTS_STRATEGIES_DIR'] ?? 'config/strategies';
  const fromDir: unknown[] = [];
  if (existsSync(dir)) {
    for (const name of readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort()) {
      const path = join(dir, name);
      const parsed = StrategyDeploymentSchema.safeParse(readJson(path));
      if (!parsed.success) {
        const issues = parsed.error.issues
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
          .join('; ');
        throw new QtsError('ERR_CONFIG', `${path}: ${issues}`, { file: path });
      }
      fromDir.push(parsed.data);
    }
  }
  if (fromDir.length > 0)
    raw['strategies'] = [...((raw['strategies'] as unknown[] | undefined) ?? []), ...fromDir];
  for (const [name, o] of Object.entries(ENV_OVERRIDES)) {
    const v = env[name];
    if (v !== undefined && v !== '') setPath(raw, o.path, o.parse(v));
  }
  for (const [path, value] of Object.entries(opts.overrides ?? {}))
    if (value !== undefined) setPath(raw, path.split('.'), value);
  const result = AppConfigSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new QtsError('ERR_CONFIG', `invalid configuration: ${issues}`);
  }
  const cfg = result.data;
  const ids = new Set<string>();
  for (const s of cfg.strategies) {
    if (ids.has(s.id)) throw new QtsError('ERR_CONFIG', `strategies: duplicate id "${s.id}"`);
    ids.add(s.id);
  }
  return { ...cfg, api: { ...cfg.api, port: cfg.api.port ?? DEFAULT_PORTS[cfg.mode] } };
}
