import type { MessageBus } from '../kernel/MessageBus.js';
import { ORDER_EVENTS } from '../kernel/topics.js';
import type { OrderEvent } from '../model/events.js';
import type { StrategyLogSink } from '../node/StrategyLogSink.js';

/** Warnings a report keeps verbatim; beyond them it only counts. */
const KEPT = 20;

/** The orders of one strategy that were refused, while none of its orders has filled. */
interface Refusals {
  count: number;
  /** How many were refused under each code (ERR_RISK_INSUFFICIENT_FUNDS, a venue's code …). */
  readonly byCode: Map<string, number>;
  /** The first refusal, said in full. */
  readonly first: string;
}

/** A refused order: its code, who refused it and why. */
interface Refusal {
  readonly code: string;
  readonly verb: string;
  readonly reason: string;
}

/**
 * The refusal an order event is, if any: denied by risk, rejected by the venue, or canceled by
 * the venue under an error code after it was accepted (a buy sized on the close that the next
 * open makes too dear is canceled ERR_INSUFFICIENT_FUNDS at fill time). Cancels by the strategy,
 * by an OCO sibling or a bracket parent are ordinary trading.
 */
function refusalOf(e: OrderEvent): Refusal | undefined {
  if (e.type === 'OrderDenied') return { code: e.code, verb: 'denied by risk', reason: e.reason };
  if (e.type === 'OrderRejected') return { code: e.code, verb: 'rejected by the venue', reason: e.reason };
  if (e.type === 'OrderCanceled' && e.reason.startsWith('ERR_'))
    return { code: e.reason, verb: 'canceled by the venue', reason: e.reason };
  return undefined;
}

/**
 * The warnings and errors a strategy logs during a backtest, for the report and the CLI (a
 * basket dropping a symbol whose data ended, a pair winding down a gone leg): the rest of its
 * log stays dropped, since millions of lines would dominate the run. The first few are kept
 * with their bar time, then only a count.
 *
 * It also watches the order events (`watch`): a strategy whose every order was refused — denied
 * by risk (cash, minimum notional or quantity, …), rejected by the venue, or canceled by it under
 * an error code (cash short at fill time) — ends the run flat
 * with a summary that only counted them, and a user read "0 trades" as "no signal". Such a
 * strategy gets one warning at the end naming the codes and the first reason.
 */
export class StrategyWarnings {
  private readonly lines: string[] = [];
  private more = 0;
  /** Strategies with an order filled: their refusals are ordinary trading, not a warning. */
  private readonly filled = new Set<string>();
  private readonly refused = new Map<string, Refusals>();
  /** Every refusal of the run, of any strategy, by reason code (the report's ordersRefused). */
  private readonly codes = new Map<string, number>();

  readonly sink: StrategyLogSink = (level, strategyId, msg, _data, ts) => {
    if (level !== 'warn' && level !== 'error') return;
    if (this.lines.length < KEPT) this.lines.push(`${strategyId} at ${new Date(ts).toISOString()}: ${msg}`);
    else this.more += 1;
  };

  /** Follows the order events of the run's engine (see the class comment). */
  watch(bus: MessageBus): void {
    bus.subscribe(ORDER_EVENTS, (e) => this.orderEvent(e));
  }

  private orderEvent(e: OrderEvent): void {
    if (e.type === 'OrderFilled') {
      this.filled.add(e.strategyId);
      return;
    }
    const refusal = refusalOf(e);
    if (refusal === undefined) return;
    this.codes.set(refusal.code, (this.codes.get(refusal.code) ?? 0) + 1);
    if (this.filled.has(e.strategyId)) return;
    let r = this.refused.get(e.strategyId);
    if (r === undefined) {
      const first = `${e.symbol} ${refusal.verb} at ${new Date(e.ts).toISOString()}: ${refusal.reason}`;
      r = { count: 0, byCode: new Map(), first };
      this.refused.set(e.strategyId, r);
    }
    r.count += 1;
    r.byCode.set(refusal.code, (r.byCode.get(refusal.code) ?? 0) + 1);
  }

  /**
   * How many orders of the run were refused under each reason code, denied by risk or rejected
   * by the venue, in code order: "45 rejected" alone did not say that all 45 were buys sized on
   * a close and refused for cash at a higher open.
   */
  refusedByCode(): Record<string, number> {
    return Object.fromEntries([...this.codes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** The kept lines, how many more there were, and the strategies none of whose orders got through. */
  list(): string[] {
    const out =
      this.more === 0 ? [...this.lines] : [...this.lines, `… and ${this.more} more strategy warnings`];
    for (const [id, r] of this.refused) {
      if (this.filled.has(id)) continue;
      const codes = [...r.byCode].map(([code, n]) => `${code} ×${n}`).join(', ');
      out.push(
        `${id}: none of its orders filled, all ${r.count} were refused (${codes}); the first: ${r.first}`,
      );
    }
    return out;
  }
}
