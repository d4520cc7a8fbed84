/**
 * A shadow engine as its own process, for the cancel-restart test: the grid rests three buys,
 * then the first is asked to cancel as the API would ask it, and the process dies before the
 * venue's confirmation is recorded — killed from outside while the simulated venue holds its
 * answer (QTS_HOLD_CANCEL=1, as a real exchange's answer is still on the wire), or by itself at
 * the crash point right after the journal write (QTS_CRASH_AT=cancel-saved-not-sent). Prints
 * `ASKED <order id>` once the cancel was asked and not confirmed.
 */
import pino from 'pino';
import { TradingRuntime } from '../../../src/app/TradingRuntime.js';
import { cancelRestartConfig } from './cancelRestartConfig.js';

const dbPath = process.env['QTS_DB'] ?? '';
const rt = await TradingRuntime.startShadow(cancelRestartConfig(dbPath), {
  log: pino({ level: 'silent' }),
  noServices: true,
  noHttp: true,
});
const deadline = performance.now() + 60_000;
while (rt.node.oms.openOrders().length < 3) {
  if (performance.now() > deadline) throw new Error('the grid never rested three buys');
  await new Promise((r) => setTimeout(r, 10));
}
const target = rt.node.oms.openOrders()[0];
if (target === undefined) throw new Error('no resting order');
if (process.env['QTS_HOLD_CANCEL'] === '1') rt.venue.client.cancel = () => undefined;
rt.node.oms.cancel(target.id, 'canceled via API by alice');
if (!target.isOpen) throw new Error(`the cancel of ${target.id} was confirmed: nothing to test`);
process.stdout.write(`ASKED ${target.id}\n`);
// Waits to be killed: nothing here stops the engine gracefully.
setInterval(() => undefined, 1_000);
