import type { Logger } from 'pino';
import { ZERO } from '../core/Fixed.js';
import type { Millis } from '../core/time.js';
import { closingQty } from '../model/Instrument.js';
import type { TradingNode } from '../node/TradingNode.js';
import type { RiskStateStore } from '../storage/sqlite/RiskStateStore.js';

/** What the kill switch acts on: the engine, its persisted trading state, the log. */
export interface KillSwitchTarget {
  readonly node: TradingNode;
  readonly risk: RiskStateStore;
  readonly log: Logger;
  /** The circuit breaker's anchors: a resume makes a tripped limit count again from now. */
  readonly breaker: { rebase(now: Millis): void };
}

/**
 * Kill switch: cancel every open order, flatten on request (reduce-only market orders; a long
 * whose sell pays its fee in the base coin leaves that fee's coins and the dust under a lot),
 * then HALTED, persisted so a restart stays halted. Returns what it did, for the operator.
 */
export function engageKillSwitch(
  t: KillSwitchTarget,
  now: Millis,
  flatten: boolean,
  reason: string,
  by: string,
): string {
  const { node } = t;
  const open = node.oms.openOrders();
  for (const o of open) node.oms.cancel(o.id, `kill switch (${by})`);
  let closed = 0;
  if (flatten) {
    node.risk.setState('REDUCING', `kill switch flattening: ${reason} (by ${by})`, 'KILL_SWITCH');
    for (const pos of node.portfolio.ledger.allPositions()) {
      if (pos.qty === ZERO) continue;
      // A long sells what leaves its fee's coins held where the venue takes the sell's fee in
      // the base coin (see sellableWithFee): a sell of every coin would be refused. Dust too
      // small for that is left.
      const quantity = closingQty(node.instrument(pos.symbol), pos.qty);
      if (quantity === ZERO) continue;
      node.submit('kill-switch', {
        symbol: pos.symbol,
        side: pos.qty > 0n ? 'SELL' : 'BUY',
        type: 'MARKET',
        quantity,
        timeInForce: 'GTC',
        postOnly: false,
        reduceOnly: true,
        tag: 'kill-switch',
      });
      closed++;
    }
  }
  node.risk.setState('HALTED', `kill switch: ${reason} (by ${by})`, 'KILL_SWITCH');
  t.risk.save({ state: 'HALTED', reason: `${reason} (by ${by})`, since: now, killSwitch: true });
  t.log.warn({ by, flatten, canceled: open.length, closed }, `KILL SWITCH: ${reason}`);
  return `canceled ${open.length} orders${flatten ? `, flattening ${closed} positions` : ''}; HALTED`;
}

/** Lifts the kill switch or a circuit breaker: trading state back to ACTIVE, persisted. */
export function liftKillSwitch(t: KillSwitchTarget, now: Millis, reason: string, by: string): string {
  t.breaker.rebase(now);
  t.node.risk.setState('ACTIVE', `resumed: ${reason} (by ${by})`, 'RESUMED');
  t.risk.save({ state: 'ACTIVE', reason: `${reason} (by ${by})`, since: now, killSwitch: false });
  t.log.warn({ by }, `trading resumed: ${reason}`);
  return 'ACTIVE';
}
