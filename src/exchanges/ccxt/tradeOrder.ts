import type { Trade } from '../../model/Bar.js';
import { compareTradeIds } from '../../data/TradeBarBuilder.js';
import { tradeIdNumber } from '../TradeSequencer.js';
import { errorText } from './tradeBackfill.js';

/** The first of `trades` in venue order (earliest, then lowest id). */
export function firstTrade(trades: readonly Trade[]): Trade | undefined {
  let first: Trade | undefined;
  for (const t of trades) {
    if (first === undefined || t.ts < first.ts || (t.ts === first.ts && compareTradeIds(t.id, first.id) < 0))
      first = t;
  }
  return first;
}

/** Why `trades` cannot be put in sequence by id (the sequencer's own complaint), if they cannot. */
export function idProblem(trades: readonly Trade[]): string | undefined {
  try {
    for (const t of trades) tradeIdNumber(t);
    return undefined;
  } catch (e) {
    return errorText(e);
  }
}
