import { isIP } from 'node:net';
import type { AppConfig } from '../../config/configSchema.js';
import { QtsError } from '../../core/QtsError.js';

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h.startsWith('::ffff:127.');
}

/**
 * An API without tokens is open to whoever can connect: acceptable on loopback only. Bound
 * anywhere else without a token, the engine refuses to start rather than expose the kill
 * switch and every order to the network.
 */
export function checkApiExposure(config: AppConfig): void {
  if (isLoopback(config.api.host) || config.api.tokens.length > 0) return;
  throw new QtsError(
    'ERR_API_AUTH_REQUIRED',
    `api.host is ${config.api.host} (not loopback) but no API token is configured: set API_TOKENS=name:role:token (or api.tokens), or bind to 127.0.0.1`,
    { host: config.api.host },
  );
}
