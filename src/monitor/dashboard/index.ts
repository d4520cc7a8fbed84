import { startDashboardEntry } from './startDashboardEntry.js';

/*
 * The web-dashboard entry (PM2 `web-dashboard`, `node dist/monitor/dashboard/index.js`):
 * serves the built app on dashboard.port (8088) and forwards the API and the push to the
 * engine at dashboard.apiUrl / dashboard.pushUrl. `npm start` does not need it: the engine
 * itself serves the same app at http://localhost:3000/.
 */
const started = await startDashboardEntry();
const server = started.server;
if (server === undefined) process.exitCode = started.code;
else {
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
