import { runEntry } from './app/bootstrap.js';

/**
 * The trading-engine entry (`npm start`, PM2's trading-engine): the mode comes from
 * TRADING_MODE or config/qts.json, shadow by default; `.env` is read when present.
 */
process.exitCode = await runEntry();
