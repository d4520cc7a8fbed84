import type { Fixed } from '../core/Fixed.js';
import { toFixed, toNumber } from '../core/Fixed.js';
import { ClassKeeper } from '../core/ClassKeeper.js';
import { LastTwo } from '../core/LastTwo.js';
import type { OrderEvent, OrderFilled } from '../model/events.js';
import { TradeLog } from './TradeLog.js';
import type { FillRecord } from './types.js';

/**
 * The report's amount memo and trade log, primed at load and kept for their classes: the last
 * run's own log would hold every line of that run.
 */
const PRIMED_REPORT = new ClassKeeper<{ amounts: LastTwo<Fixed, number>; log: TradeLog }>();

/**
 * The fills of a run and the bar each came in. Fill events are immutable and already made:
 * keeping them, and writing the fill records and the trade log once the run is over, adds
 * nothing per fill for the collector to copy while the engine runs.
 */
export class FillTape {
  readonly events: OrderFilled[] = [];
  readonly bars: number[] = [];
  /** Index of the base bar being processed. */
  barIndex = 0;

  readonly record = (e: OrderEvent): void => {
    if (e.type !== 'OrderFilled') return;
    this.events.push(e);
    this.bars.push(this.barIndex);
  };
}

/**
 * The fill records of a run. A plain loop, not `map` with an arrow: that arrow would be a new
 * closure every run, and V8 compiled each one afresh while the first records of every report
 * were written by the interpreter.
 */
export function fillRecords(tape: FillTape, amounts: LastTwo<Fixed, number>): FillRecord[] {
  const events = tape.events;
  const out: FillRecord[] = [];
  for (let k = 0; k < events.length; k++)
    out.push(fillRecord(events[k] as OrderFilled, tape.bars[k] as number, amounts));
  return out;
}

function fillRecord(e: OrderFilled, barIndex: number, amounts: LastTwo<Fixed, number>): FillRecord {
  return {
    ts: e.ts,
    orderId: e.orderId,
    tradeId: e.tradeId,
    strategyId: e.strategyId,
    symbol: e.symbol,
    side: e.side,
    quantity: amounts.of(e.lastQty),
    price: toNumber(e.lastPx),
    fee: amounts.of(e.fee),
    feeCurrency: e.feeCurrency,
    barIndex,
  };
}

/**
 * The fill record's shape primed at load (see primeShapes in stats.ts): fractional amounts
 * first, so a run whose first fill has a whole quantity or a zero fee cannot make V8 retire
 * the shape, and the optimized code using it, in a later run. The memo and a one-line trade
 * log made here are kept (PRIMED_REPORT).
 */
function primeShapes(): void {
  const amount = toFixed('0.5');
  const event = {
    ts: 2 ** 40 + 0.5,
    orderId: 'prime-1',
    tradeId: 'prime-1',
    strategyId: 'prime',
    symbol: 'PRIME/USDT',
    side: 'BUY',
    lastQty: amount,
    lastPx: toFixed('1.5'),
    fee: toFixed('0.25'),
    feeCurrency: 'USDT',
  } as const;
  const amounts = new LastTwo<Fixed, number>(toNumber);
  fillRecord(event as unknown as OrderFilled, 1, amounts);
  PRIMED_REPORT.keep({ amounts, log: new TradeLog([event as unknown as OrderFilled]) });
}

primeShapes();
