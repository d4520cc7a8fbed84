// PM2 processes (docs/dashboard.md, "Running under PM2"). Build first: `npm run build`
// writes dist/ (server) and dist/web (dashboard); then `pm2 start ecosystem.config.cjs`.
//
// Both processes log to stdout, which PM2 collects (`pm2 logs trading-engine`); the engine
// also keeps its own daily files under logs/app and the audit trail under logs/app/audit.
// Settings come from config/qts.json, config/strategies/ and .env in this folder, as for
// `npm start`; TRADING_MODE=live with its keys, confirmation and its own DB_PATH (a shadow
// engine's database is refused, ERR_DB_MODE_MISMATCH) makes the engine trade live.

/** Shared by every process: one instance each, never cluster mode (one SQLite writer, one engine). */
const common = {
  cwd: __dirname,
  interpreter: 'node',
  node_args: '--enable-source-maps',
  exec_mode: 'fork',
  instances: 1,
  autorestart: true,
  // A process that dies within 30 s of its start counts toward max_restarts, with a growing delay.
  min_uptime: 30_000,
  max_restarts: 10,
  exp_backoff_restart_delay: 1_000,
  merge_logs: true,
  time: false,
};

module.exports = {
  apps: [
    {
      ...common,
      name: 'trading-engine',
      // kernel, strategies, OMS, risk, REST API, WebSocket push and /metrics (src/index.ts)
      script: 'dist/index.js',
      // SIGINT first: the engine stops its strategies, saves the ledger and closes the database.
      kill_timeout: 15_000,
      env: { NODE_ENV: 'production', LOG_FORMAT: 'json' },
    },
    {
      ...common,
      name: 'web-dashboard',
      // serves dist/web on dashboard.port (8088) and forwards /api and /ws to the engine
      // (src/monitor/dashboard/index.ts)
      script: 'dist/monitor/dashboard/index.js',
      kill_timeout: 5_000,
      env: { NODE_ENV: 'production' },
    },
  ],
};
