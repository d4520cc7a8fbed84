import type { AppConfig } from '../../config/configSchema.js';
import type { PushTarget } from './proxyUpgrade.js';
import { reachableHost } from './proxyUpgrade.js';
import type { WebAppOptions } from './registerWebApp.js';
import { WebAssets } from './WebAssets.js';

/** A running side service as the dashboard sees it: the push service carries its bound port. */
interface ServiceLike {
  readonly name: string;
}

/**
 * The dashboard options of an engine's API server, or undefined when `dashboard.enabled`
 * is off. The push port is read when a browser connects (the push service starts after the
 * API, and tests bind port 0), from the running services.
 */
export function webAppFor(
  config: AppConfig,
  services: () => readonly ServiceLike[],
): WebAppOptions | undefined {
  if (!config.dashboard.enabled) return undefined;
  const host = reachableHost(config.push.host ?? config.api.host);
  return {
    assets: new WebAssets(config.dashboard.dir),
    pushTarget: (): PushTarget | undefined => {
      const push = services().find((s) => s.name === 'push');
      const port = push !== undefined && 'port' in push ? push.port : undefined;
      return typeof port === 'number' ? { host, port } : undefined;
    },
  };
}
