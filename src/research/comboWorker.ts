// Entry of a research worker thread: backtests chunks of combinations over the shared series
// it was started with, one message per chunk, and answers with their metrics or a coded error.
import { parentPort, workerData } from 'node:worker_threads';
import { loadStrategyRef } from '../backtest/loadStrategyRef.js';
import { isQtsError } from '../core/QtsError.js';
import { evaluateCombo } from './evaluateCombo.js';
import { seriesOfShared } from './SharedSeries.js';
import { threadCpu } from './threadCpu.js';
import type { FromThread, ThreadInit, ToThread } from './threadMessages.js';

const init = workerData as ThreadInit;
const series = init.series.map(seriesOfShared);
// Only the strategy searched over is loaded (a thread starts ~70 ms sooner than with every one):
// a built-in by id, or the user's strategy file by its absolute path.
const strategy = await loadStrategyRef(init.strategyId);
const port = parentPort;
if (port === null) throw new Error('comboWorker runs as a worker thread');

port.on('message', (msg: ToThread) => {
  let reply: FromThread;
  if (msg.kind === 'usage') {
    reply = { kind: 'usage', cpu: threadCpu() ?? null };
  } else {
    const t0 = performance.now();
    try {
      const metrics = msg.tasks.map((task) => evaluateCombo(series, strategy, init.settings, task));
      reply = { kind: 'done', first: msg.first, metrics, ms: performance.now() - t0 };
    } catch (e) {
      reply = {
        kind: 'failed',
        first: msg.first,
        error: isQtsError(e)
          ? { code: e.code, message: e.message }
          : { code: 'ERR_RESEARCH_WORKER', message: e instanceof Error ? (e.stack ?? e.message) : String(e) },
      };
    }
  }
  port.postMessage(reply);
});
