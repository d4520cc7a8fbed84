import type { AppConfig } from '../config/configSchema.js';
import { QtsError } from '../core/QtsError.js';
import type { ExchangeCredentials } from './ExchangeCredentials.js';
import { secretValues } from './ExchangeCredentials.js';
import { readKeyFile, requireKeyFile } from './KeyStore.js';
import { readMasterKey } from './masterKey.js';
import { SecurityErrorCode } from './SecurityErrorCode.js';

export interface LoadCredentialsOptions {
  /** Told every decrypted secret value, so a log scrubber can redact it. */
  readonly onSecret?: (value: string) => void;
}

/**
 * Live mode's keys: the credentials of the configured exchange, decrypted in memory from
 * `security.keysFile` with MASTER_KEY. Refuses, with a coded error that says what to fix,
 * when the file or the key is missing, the key is wrong, the file was tampered with, or
 * it holds testnet keys for a real account (or the reverse).
 */
export async function loadExchangeCredentials(
  config: AppConfig,
  env: NodeJS.ProcessEnv,
  opts: LoadCredentialsOptions = {},
): Promise<ExchangeCredentials> {
  const path = config.security.keysFile;
  requireKeyFile(path);
  const masterKey = readMasterKey(env, 'MASTER_KEY', `to decrypt the exchange keys in ${path}`);
  const payload = await readKeyFile(path, masterKey);
  for (const c of payload.credentials) for (const s of secretValues(c)) opts.onSecret?.(s);
  const id = config.exchange.id;
  const found = payload.credentials.find((c) => c.exchange === id);
  if (found === undefined)
    throw new QtsError(
      SecurityErrorCode.KeysMissing,
      `${path} holds no credentials for exchange "${id}" (it has: ${payload.credentials.map((c) => c.exchange).join(', ') || 'none'}): add them with \`npm run keys:encrypt -- --exchange ${id}\``,
    );
  const sandbox = found.sandbox ?? false;
  if (sandbox !== config.exchange.sandbox)
    throw new QtsError(
      SecurityErrorCode.KeysMissing,
      `${path} holds ${sandbox ? 'testnet' : 'real-account'} keys for ${id} but exchange.sandbox is ${config.exchange.sandbox}: encrypt the matching keys (--sandbox for testnet keys)`,
    );
  return found;
}
