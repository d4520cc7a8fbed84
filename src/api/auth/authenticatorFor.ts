import type { AppConfig } from '../../config/configSchema.js';
import type { Authenticator } from './Identity.js';
import { createAuthenticator } from './createAuthenticator.js';

/**
 * The one way every surface (REST, WebSocket push) builds its authenticator from the
 * configuration, so a token valid on one is valid on the other.
 */
export function authenticatorFor(config: AppConfig, _now: () => number): Authenticator {
  return createAuthenticator(config.api.tokens);
}
