// Entry of a research worker thread: backtests combinations over the shared series it was
// started with, one message per task, and answers with the metrics or a coded error.
import { parentPort, workerData } from 'node:worker_threads';
import { isQtsError } from '../core/QtsError.js';
import { findStrategy } from '../strategies/registry.js';
import type { ComboTask } from './ComboTask.js';
import { evaluateCombo } from './evaluateCombo.js';
import type { ThreadInit, ThreadReply } from './ThreadPoolEvaluator.js';
import { seriesOfShared } from './SharedSeries.js';

const init = workerData as ThreadInit;
const series = init.series.map(seriesOfShared);
const strategy = findStrategy(init.strategyId);
const port = parentPort;
if (port === null) throw new Error('comboWorker runs as a worker thread');

port.on('message', (msg: { id: number; task: ComboTask }) => {
  let reply: ThreadReply;
  try {
    reply = { id: msg.id, metrics: evaluateCombo(series, strategy, init.settings, msg.task) };
  } catch (e) {
    reply = {
      id: msg.id,
      error: isQtsError(e)
        ? { code: e.code, message: e.message }
        : { code: 'ERR_RESEARCH_WORKER', message: e instanceof Error ? (e.stack ?? e.message) : String(e) },
    };
  }
  port.postMessage(reply);
});
