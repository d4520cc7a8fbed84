import type { ApiApp, RouteDeps } from '../ApiApp.js';
import type { AuthFailureLimiter } from '../auth/AuthFailureLimiter.js';
import type { Authenticator } from '../auth/Identity.js';
import type { SessionTokens } from '../auth/SessionTokens.js';
import { auditRoutes } from './audit.js';
import { authRoutes } from './auth.js';
import { backtestRoutes } from './backtests.js';
import { fillRoutes } from './fills.js';
import { healthRoutes } from './health.js';
import { historyRoutes } from './history.js';
import { marketRoutes } from './market.js';
import { orderRoutes } from './orders.js';
import { pnlRoutes } from './pnl.js';
import { positionRoutes } from './positions.js';
import { riskRoutes } from './risk.js';
import { strategyRoutes } from './strategies.js';

/** Every REST route, one module per resource group. */
export function registerRoutes(
  app: ApiApp,
  deps: RouteDeps,
  auth: {
    sessions: SessionTokens | undefined;
    tokens: Authenticator;
    failures: AuthFailureLimiter;
  },
): void {
  healthRoutes(app, deps);
  authRoutes(app, deps, auth);
  strategyRoutes(app, deps);
  orderRoutes(app, deps);
  fillRoutes(app, deps);
  positionRoutes(app, deps);
  pnlRoutes(app, deps);
  riskRoutes(app, deps);
  marketRoutes(app, deps);
  historyRoutes(app, deps);
  backtestRoutes(app, deps);
  auditRoutes(app, deps);
}
