import type { Logger } from 'pino';
import type { AppConfig } from '../config/configSchema.js';
import type { Millis } from '../core/time.js';
import type { LiveClock } from '../kernel/LiveClock.js';
import type { OrderFilled } from '../model/events.js';
import type { StrategyFailure, TradingNode } from '../node/TradingNode.js';
import type { FillRecord } from '../storage/sqlite/FillStore.js';
import type { RuntimeStorage } from './openRuntimeStorage.js';
import { runtimeNode } from './runtimeNode.js';
import type { MarketDataChoice } from './selectMarketData.js';

/**
 * The trading node on the instruments of `market`, with the cash and positions of the last
 * saved ledger, and the fills journaled after that snapshot booked again. The journal commits
 * a fill before the ledger books it and the snapshot is saved after: a process killed in
 * between left the fill in the journal and out of the account, and shadow mode has no exchange
 * to reconcile with (live mode's reconciliation then finds nothing to correct).
 */
export function resumeNode(
  config: AppConfig,
  clock: LiveClock,
  market: MarketDataChoice,
  { db, stores }: RuntimeStorage,
  log: Logger,
  lastDataAt: (symbol: string) => Millis | undefined,
  onStrategyFailure: (failure: StrategyFailure) => void,
  onEngineFault: (err: unknown, what: string) => void,
): TradingNode {
  const snapshot = stores.ledger.latest();
  const node = runtimeNode(
    config,
    clock,
    market,
    snapshot?.cash,
    db,
    stores.orders,
    log,
    lastDataAt,
    onStrategyFailure,
    onEngineFault,
  );
  if (snapshot) node.portfolio.restorePositions(snapshot.positions);
  // No snapshot at all: every fill came after it. A snapshot from before fillsUpto was
  // recorded cannot say which fills it holds, and is taken as it is.
  const upto = snapshot === undefined ? 0 : snapshot.fillsUpto;
  if (upto === null) return node;
  const missed = stores.orders.fills.bookedAfter(upto);
  if (missed.length === 0) return node;
  for (const f of missed) node.portfolio.applyFill(filledEvent(f));
  log.warn(
    { fills: missed.length, snapshot: snapshot?.id ?? null },
    'the saved account was behind the order journal (stopped between a fill and its snapshot): fills booked again',
  );
  return node;
}

/** A journaled fill as the event the ledger books. */
function filledEvent(f: FillRecord): OrderFilled {
  return {
    type: 'OrderFilled',
    orderId: f.orderId,
    strategyId: f.strategyId,
    symbol: f.symbol,
    ts: f.ts,
    eventId: '',
    tradeId: f.tradeId,
    side: f.side,
    lastQty: f.qty,
    lastPx: f.px,
    fee: f.fee,
    feeCurrency: f.feeCurrency,
    liquidity: f.liquidity,
  };
}
