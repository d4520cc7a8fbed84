import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ZodType } from 'zod';
import { QtsError } from '../core/QtsError.js';
import type { AppConfig } from './configSchema.js';
import { AppConfigSchema, DEFAULT_PORTS, StrategyDeploymentSchema } from './configSchema.js';
import { unknownKeys } from './unknownKeys.js';

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
  EXCHANGE_SANDBOX: { path: ['exchange', 'sandbox'], parse: parseBoolean },
  LIVE_TRADING_CONFIRM: { path: ['live', 'confirmed'], parse: (v) => v === 'yes' },
  MARKET_DATA_SOURCE: { path: ['marketData', 'source'], parse: (v) => v },
  REPLAY_FILES: { path: ['marketData', 'replayFiles'], parse: (v) => v.split(',').filter(Boolean) },
  WARMUP_BARS: { path: ['marketData', 'warmupBars'], parse: Number },
  WARMUP_TIMEOUT_MS: { path: ['marketData', 'warmupTimeoutMs'], parse: Number },
  ACCOUNT_CURRENCY: { path: ['account', 'currency'], parse: (v) => v },
  INITIAL_CASH: { path: ['account', 'initialCash'], parse: Number },
  API_HOST: { path: ['api', 'host'], parse: (v) => v },
  API_PORT: { path: ['api', 'port'], parse: Number },
  API_TOKENS: { path: ['api', 'tokens'], parse: parseApiTokens },
  JWT_SECRET: { path: ['api', 'jwt', 'secret'], parse: (v) => v },
  JWT_TTL_SECONDS: { path: ['api', 'jwt', 'ttlSeconds'], parse: Number },
  API_CORS_ORIGINS: { path: ['api', 'corsOrigins'], parse: (v) => v.split(',').filter(Boolean) },
  API_RATE_LIMIT: { path: ['api', 'rateLimit', 'max'], parse: Number },
  API_PUBLIC_DOCS: { path: ['api', 'publicDocs'], parse: parseBoolean },
  API_TRUSTED_PROXIES: { path: ['api', 'trustedProxies'], parse: parseAddressList },
  DB_PATH: { path: ['storage', 'dbPath'], parse: (v) => v },
  DB_SYNCHRONOUS: { path: ['storage', 'synchronous'], parse: (v) => v.toUpperCase() },
  EQUITY_SAMPLE_MS: { path: ['history', 'equitySampleMs'], parse: Number },
  METRICS_ENABLED: { path: ['metrics', 'enabled'], parse: parseBoolean },
  METRICS_HOST: { path: ['metrics', 'host'], parse: (v) => v },
  METRICS_PORT: { path: ['metrics', 'port'], parse: Number },
  PUSH_ENABLED: { path: ['push', 'enabled'], parse: parseBoolean },
  PUSH_HOST: { path: ['push', 'host'], parse: (v) => v },
  PUSH_PORT: { path: ['push', 'port'], parse: Number },
  DASHBOARD_ENABLED: { path: ['dashboard', 'enabled'], parse: parseBoolean },
  DASHBOARD_DIR: { path: ['dashboard', 'dir'], parse: (v) => v },
  DASHBOARD_HOST: { path: ['dashboard', 'host'], parse: (v) => v },
  DASHBOARD_PORT: { path: ['dashboard', 'port'], parse: Number },
  DASHBOARD_API_URL: { path: ['dashboard', 'apiUrl'], parse: (v) => v },
  DASHBOARD_PUSH_URL: { path: ['dashboard', 'pushUrl'], parse: (v) => v },
  DASHBOARD_TRUSTED_PROXIES: { path: ['dashboard', 'trustedProxies'], parse: parseAddressList },
  LOG_LEVEL: { path: ['log', 'level'], parse: (v) => v },
  LOG_FORMAT: { path: ['log', 'format'], parse: (v) => v },
  LOG_DIR: { path: ['log', 'dir'], parse: (v) => v },
  LOG_FILES: { path: ['log', 'files'], parse: parseBoolean },
  LOG_RETAIN_DAYS: { path: ['log', 'retainDays'], parse: Number },
  AUDIT_ENABLED: { path: ['audit', 'enabled'], parse: parseBoolean },
  AUDIT_DIR: { path: ['audit', 'dir'], parse: (v) => v },
  AUDIT_FSYNC: { path: ['audit', 'fsync'], parse: parseBoolean },
  KEYS_FILE: { path: ['security', 'keysFile'], parse: (v) => v },
  NOTIFY_EVENTS: { path: ['notifications', 'events'], parse: (v) => v.split(',').filter(Boolean) },
  NOTIFY_DAILY_SUMMARY_HOUR: { path: ['notifications', 'dailySummaryHourUtc'], parse: Number },
  TELEGRAM_BOT_TOKEN: { path: ['notifications', 'telegram', 'botToken'], parse: (v) => v },
  TELEGRAM_CHAT_ID: { path: ['notifications', 'telegram', 'chatId'], parse: (v) => v },
  TELEGRAM_API_BASE: { path: ['notifications', 'telegram', 'apiBase'], parse: (v) => v },
  SMTP_HOST: { path: ['notifications', 'email', 'host'], parse: (v) => v },
  SMTP_PORT: { path: ['notifications', 'email', 'port'], parse: Number },
  SMTP_SECURE: { path: ['notifications', 'email', 'secure'], parse: parseBoolean },
  SMTP_USER: { path: ['notifications', 'email', 'user'], parse: (v) => v },
  SMTP_PASS: { path: ['notifications', 'email', 'pass'], parse: (v) => v },
  SMTP_FROM: { path: ['notifications', 'email', 'from'], parse: (v) => v },
  SMTP_TO: { path: ['notifications', 'email', 'to'], parse: (v) => v.split(',').filter(Boolean) },
  WEBHOOK_URL: { path: ['notifications', 'webhook', 'url'], parse: (v) => v },
  WEBHOOK_SECRET: { path: ['notifications', 'webhook', 'secret'], parse: (v) => v },
};

/**
 * `true`/`1` and `false`/`0` (any case). Anything else stays a string for the schema to
 * refuse by name: reading `EXCHANGE_SANDBOX=yes` as false would send orders to the real
 * exchange without a word.
 */
function parseBoolean(v: string): unknown {
  const s = v.trim().toLowerCase();
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  return v;
}

/**
 * A comma-separated list of addresses and ranges; `none` is the empty list (an empty
 * variable counts as unset, as everywhere, so it cannot say "trust no proxy").
 */
function parseAddressList(v: string): string[] {
  if (v.trim().toLowerCase() === 'none') return [];
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * API_TOKENS=name:role:token,… — the token is everything after the second colon, so it may
 * itself contain colons; a malformed entry is left for the schema to reject by its path.
 */
function parseApiTokens(v: string): unknown[] {
  return v
    .split(',')
    .filter(Boolean)
    .map((entry) => {
      const [name, role, ...rest] = entry.trim().split(':');
      return { name, role, token: rest.length > 0 ? rest.join(':') : undefined };
    });
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new QtsError('ERR_CONFIG_FILE', `${path}: ${(e as Error).message}`, { file: path });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    // V8's message quotes the text around the fault, which may be part of a token or key:
    // say where the fault is, never what is written there.
    const pos = /at position (\d+)/.exec((e as Error).message)?.[1];
    const before = pos === undefined ? undefined : text.slice(0, Number(pos)).split('\n');
    const where =
      before === undefined ? '' : ` at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
    throw new QtsError('ERR_CONFIG_FILE', `${path}: not valid JSON${where}`, { file: path });
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
  // Only the default file may be missing: a file named on purpose (--config, QTS_CONFIG) that
  // is not there would start the engine on built-in defaults, without the file's risk limits.
  const named = opts.file ?? (env['QTS_CONFIG'] || undefined);
  const file = named ?? 'config/qts.json';
  const fileExists = existsSync(file);
  if (named !== undefined && !fileExists) {
    const via = opts.file === undefined ? ' (QTS_CONFIG)' : '';
    throw new QtsError('ERR_CONFIG_FILE', `config file not found: ${file}${via}`, { file });
  }
  const raw: Record<string, unknown> = fileExists ? ((readJson(file) as Record<string, unknown>) ?? {}) : {};
  refuseUnknownKeys(AppConfigSchema, raw, file);
  const fromFile = structuredClone(raw);
  const dir = opts.strategiesDir ?? env['QTS_STRATEGIES_DIR'] ?? 'config/strategies';
  const fromDir: unknown[] = [];
  if (existsSync(dir)) {
    for (const name of readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort()) {
      const path = join(dir, name);
      const json = readJson(path);
      refuseUnknownKeys(StrategyDeploymentSchema, json, path);
      const parsed = StrategyDeploymentSchema.safeParse(json);
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
  // Where each value came from, so an error names the variable or flag the user has to fix.
  const sources: { path: string[]; from: string }[] = [];
  for (const [name, o] of Object.entries(ENV_OVERRIDES)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    setPath(raw, o.path, o.parse(v));
    sources.push({ path: o.path, from: `from ${name}` });
  }
  for (const [path, value] of Object.entries(opts.overrides ?? {}))
    if (value !== undefined) {
      setPath(raw, path.split('.'), value);
      sources.push({ path: path.split('.'), from: 'from the command line' });
    }
  const result = AppConfigSchema.safeParse(raw);
  if (!result.success) {
    const origin = (at: readonly PropertyKey[]): string => {
      const path = at.map(String);
      const set = sources.findLast((s) => s.path.every((k, i) => path[i] === k));
      if (set !== undefined) return ` (${set.from})`;
      return fileExists && hasParent(fromFile, path) ? ` (in ${file})` : '';
    };
    const issues = result.error.issues
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}${origin(i.path)}`)
      .join('; ');
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

/** A misspelt key would be dropped by the schema and its setting silently left at the default. */
function refuseUnknownKeys(schema: ZodType, value: unknown, file: string): void {
  const unknown = unknownKeys(schema, value);
  if (unknown.length > 0)
    throw new QtsError(
      'ERR_CONFIG',
      `${file}: unknown setting${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (the settings are listed in docs/configuration.md)`,
      { file },
    );
}

/** Whether the object holding `path`'s last key was written in the config file. */
function hasParent(fromFile: unknown, path: readonly string[]): boolean {
  let node = fromFile;
  for (const key of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return typeof node === 'object' && node !== null;
}
