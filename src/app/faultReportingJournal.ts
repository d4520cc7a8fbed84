import type { OrderJournal } from '../execution/ExecutionEngine.js';

/**
 * The order journal of a running engine, telling `onEngineFault` of every write it could not
 * make (a full disk, a damaged file, an event out of sequence), besides throwing the error back
 * to whoever sent the order. Relying on the sender alone is not enough: a strategy that catches
 * what its `buy` threw would keep trading ACTIVE on a journal that records nothing. Nothing
 * unjournaled reaches a venue meanwhile (the OMS calls the venue after the journal), and
 * EngineFaults counts an error reported from both places once.
 */
export function faultReportingJournal(
  journal: OrderJournal,
  onEngineFault: (err: unknown, what: string) => void,
): OrderJournal {
  const reporting = (order: Parameters<OrderJournal>[0], event: Parameters<OrderJournal>[1]): void => {
    try {
      journal(order, event);
    } catch (e) {
      // Reported once the call that sent the order is over: where the error surfaced (a bar, a
      // venue report, a strategy's call) it is reported first, naming what the engine was doing,
      // and this one is the same fault; where the sender swallowed it, this one halts trading.
      queueMicrotask(() =>
        onEngineFault(
          e,
          `order ${order.id} of strategy ${order.strategyId} (${event.type} ${order.symbol}): not journaled`,
        ),
      );
      throw e;
    }
  };
  return journal.load === undefined ? reporting : Object.assign(reporting, { load: journal.load });
}
