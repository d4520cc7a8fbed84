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
    if (value === undefined || !isSecretEnvName(name)) continue;
    registry.register(value);
    for (const part of value.split(',')) {
      registry.register(part.trim());
      registry.register(part.trim().split(':').slice(2).join(':'));
    }
  }
}

/** Registers every value found under a secret-named field of the loaded configuration. */
export function registerConfigSecrets(config: unknown, registry: SecretRegistry): void {
  for (const v of collectSecretValues(config)) registry.register(v);
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
