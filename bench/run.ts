import { benchLatency } from './latency.js';
import { benchBacktest, benchDrainedAccount } from './backtest.js';
import { benchCsvEndToEnd } from './csvEndToEnd.js';
import { benchPush } from './push.js';
import { benchOptimize } from './optimize.js';
import { benchOrderDensity } from './orderDensity.js';
import { benchAllocation } from './allocation.js';

// `npm run bench [-- --quick] [-- --only name,name]` (or `npm run bench:sources …`): every figure is printed beside a baseline
// measured in the same run. Names: backtest, account, density, alloc, csv, latency, push, optimize.
const quick = process.argv.includes('--quick');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt < 0 ? undefined : new Set((process.argv[onlyAt + 1] ?? '').split(','));
const want = (name: string): boolean => only === undefined || only.has(name);
// `npm run bench` runs the engine as tsc compiles it (what `npm run build` and production run);
// `npm run bench:sources` runs the TypeScript sources through tsx, which measures slower.
const build = import.meta.url.endsWith('.js') ? 'compiled by tsc' : 'sources through tsx';
console.log(`node ${process.version}, ${new Date().toISOString()}, engine ${build}`);
if (want('backtest')) benchBacktest(quick ? [200_000] : [1_000_000, 10_000_000]);
if (want('account')) benchDrainedAccount(quick ? 200_000 : 1_000_000);
if (want('density')) benchOrderDensity(quick ? 200_000 : 1_000_000);
if (want('alloc')) await benchAllocation(quick ? 200_000 : 1_000_000);
if (want('csv')) await benchCsvEndToEnd(quick ? 100_000 : 1_000_000);
if (want('latency')) benchLatency(quick ? 20_000 : 100_000);
if (want('push')) await benchPush(quick ? 2_000 : 10_000, 100, quick ? 5 : 3);
if (want('optimize')) await benchOptimize(quick ? 12 : 80, quick ? 1 : 3);
