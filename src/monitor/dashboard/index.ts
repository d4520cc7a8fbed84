import { loadConfig } from '../../config/loadConfig.js';
import { DashboardServer } from './DashboardServer.js';
import { WebAssets } from './WebAssets.js';

/*
 * The web-dashboard entry (PM2 `web-dashboard`, `node dist/monitor/dashboard/index.js`):
 * serves the built app on dashboard.port (8088) and forwards the API and the push to the
 * engine at dashboard.apiUrl / dashboard.pushUrl. `npm start` does not need it: the engine
 * itself serves the same app at http://localhost:3000/.
 */
const config = loadConfig();
const d = config.dashboard;
const assets = new WebAssets(d.dir);
const server = await DashboardServer.start({
  host: d.host,
  port: d.port,
  apiUrl: d.apiUrl,
  pushUrl: d.pushUrl,
  assets,
});
process.stdout.write(
  `web dashboard on http://${d.host}:${server.port}/ → API ${d.apiUrl}, push ${d.pushUrl}${assets.available ? '' : ' (NOT BUILT: npm run build:web)'}\n`,
);
const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
