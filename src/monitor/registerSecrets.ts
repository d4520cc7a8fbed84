import type { SecretRegistry } from './SecretRegistry.js';
import { collectSecretValues, isSecretEnvName, isSecretKey } from './redactSecrets.js';

/**
 * Registers the values of secret-named environment variables (MASTER_KEY, API_TOKENS,
 * EXCHANGE_API_SECRET, TELEGRAM_BOT_TOKEN, JWT_SECRET, SMTP_PASS, …). List-valued ones
 * (`API_TOKENS=name:role:token,…`) also register each entry and its token part, so a
 * single token quoted in an error is caught too.
 */
export function registerEnvSecrets(env: NodeJS.ProcessEnv, registry: SecretRegistry): void {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    registerUrlSecrets(value, registry);
    // A webhook URL is its own credential (Slack, Discord, … put the token in the path).
    if (/(^|_)WEBHOOK_URL$/i.test(name)) registry.register(value);
    if (!isSecretEnvName(name)) continue;
    registry.register(value);
    for (const part of value.split(',')) {
      registry.register(part.trim());
      registry.register(part.trim().split(':').slice(2).join(':'));
    }
  }
}

/**
 * Registers every value found under a secret-named field of the loaded configuration, the
 * URL of a webhook (`notifications.webhook.url`), and the password or secret-named query
 * parameters of any URL in it (`redis://:password@host`, `https://host/hook?token=…`).
 */
export function registerConfigSecrets(config: unknown, registry: SecretRegistry): void {
  for (const v of collectSecretValues(config)) registry.register(v);
  const visit = (v: unknown, path: readonly string[], seen: WeakSet<object>): void => {
    if (typeof v === 'string') {
      registerUrlSecrets(v, registry);
      const key = (path[path.length - 1] ?? '').toLowerCase();
      const parent = (path[path.length - 2] ?? '').toLowerCase();
      if ((key === 'url' && parent.includes('webhook')) || /webhook.*url$/.test(key)) registry.register(v);
      return;
    }
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    for (const [k, x] of Object.entries(v)) visit(x, [...path, k], seen);
  };
  visit(config, [], new WeakSet());
}

/** The credentials a URL carries: its password, and the values of secret-named query parameters. */
export function registerUrlSecrets(text: string, registry: SecretRegistry): void {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text.trim())) return;
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return;
  }
  if (url.password !== '') {
    registry.register(url.password);
    registry.register(safeDecode(url.password));
  }
  for (const [k, v] of url.searchParams)
    if (isSecretKey(k) || /^(key|sig|signature)$/i.test(k)) registry.register(v);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Registers string values of secret-named keys found in JSON *text*, even text that does not
 * parse: the parser's error message quotes the text around the fault, and a config file
 * that fails to load would otherwise leak its tokens through that message.
 */
export function registerJsonTextSecrets(text: string, registry: SecretRegistry): void {
  const pair = /"((?:[^"\\]|\\.)*)"\s*:\s*"((?:[^"\\]|\\.)*)"/g;
  for (const m of text.matchAll(pair)) {
    const [, key, value] = m;
    if (key === undefined || value === undefined || !isSecretKey(key)) continue;
    registry.register(value);
    try {
      registry.register(JSON.parse(`"${value}"`) as string);
    } catch {
      // An escape the file got wrong: the raw form is registered already.
    }
  }
}
