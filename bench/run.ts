import { benchLatency } from './latency.js';
import { benchBacktest, benchCsvEndToEnd, benchDrainedAccount } from './backtest.js';

// `npm run bench [-- --quick]`: every figure is printed beside a baseline measured in the same run.
const quick = process.argv.includes('--quick');
console.log(`node ${process.version}, ${new Date().toISOString()}`);
benchBacktest(quick ? [200_000] : [1_000_000, 10_000_000]);
benchDrainedAccount(quick ? 200_000 : 1_000_000);
benchCsvEndToEnd(quick ? 100_000 : 1_000_000);
benchLatency(quick ? 20_000 : 100_000);
