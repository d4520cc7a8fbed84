import type { Fixed } from '../core/Fixed.js';
import { ZERO, add, sub } from '../core/Fixed.js';
import { ClassKeeper } from '../core/ClassKeeper.js';
import { OrderSide } from '../model/enums.js';
import type { OrderFilled } from '../model/events.js';
import type { Instrument } from '../model/Instrument.js';
import { isDust } from '../model/Instrument.js';

/** What the dust flags need of a fill: its exact amounts, as the fill log holds them. */
export type ExactFill = Pick<
  OrderFilled,
  'strategyId' | 'symbol' | 'side' | 'lastQty' | 'fee' | 'feeCurrency'
>;

/**
 * For each fill of the log, in order, 1 when it leaves its (strategy, symbol) position as
 * dust (isDust: not zero, yet too small for any closing order), else 0; undefined when no
 * fill does. The trip list (roundTripsFromFills) closes a trip on such a fill: the strategy
 * sees that position as flat (PositionViews, the same rule) and buys again.
 *
 * The positions are summed here from the exact amounts, as the ledger books them (a spot fee
 * in the base coin takes coins out), not from the trip list's floats: a float sum can land on
 * either side of the line (1.997 as a float is 1.9969999999999999), and the two views must
 * not part at the last unit.
 */
export function dustAfterFills(
  fills: readonly ExactFill[],
  instruments: readonly Instrument[],
): Uint8Array | undefined {
  const bySymbol = new Map<string, Instrument>();
  for (const inst of instruments) bySymbol.set(inst.symbol, inst);
  const positions = new Map<string, Map<string, Held>>();
  let flags: Uint8Array | undefined;
  // Fills of one run mostly come from one pair: the last one's position is kept at hand.
  let last: Held | undefined;
  for (let k = 0; k < fills.length; k++) {
    const f = fills[k] as ExactFill;
    let pos = last;
    if (pos === undefined || pos.strategyId !== f.strategyId || pos.inst.symbol !== f.symbol) {
      pos = positionOf(positions, bySymbol, f);
      if (pos === undefined) continue;
      last = pos;
    }
    const inst = pos.inst;
    const coins = inst.kind === 'SPOT' && f.feeCurrency === inst.base ? f.fee : ZERO;
    const moved = f.side === OrderSide.BUY ? add(pos.qty, f.lastQty) : sub(pos.qty, f.lastQty);
    pos.qty = sub(moved, coins);
    if (!isDust(inst, pos.qty)) continue;
    flags ??= new Uint8Array(fills.length);
    flags[k] = 1;
  }
  return flags;
}

/** The signed position of one (strategy, symbol) pair, as the ledger would hold it. */
interface Held {
  readonly strategyId: string;
  readonly inst: Instrument;
  qty: Fixed;
}

/**
 * The last position summed by any run of this thread: keeps its class (see ClassKeeper). A run
 * makes one per (strategy, symbol) pair, so all of them die with the run, and a full collection
 * between runs could drop their class and deoptimize dustAfterFills ("weak objects": about one
 * run of test/backtest/keptClasses.test.ts in three failed on it).
 */
const LAST_HELD = new ClassKeeper<Held>();

function positionOf(
  positions: Map<string, Map<string, Held>>,
  bySymbol: ReadonlyMap<string, Instrument>,
  f: ExactFill,
): Held | undefined {
  const inst = bySymbol.get(f.symbol);
  if (inst === undefined) return undefined;
  let byStrategy = positions.get(f.symbol);
  if (byStrategy === undefined) {
    byStrategy = new Map();
    positions.set(f.symbol, byStrategy);
  }
  let pos = byStrategy.get(f.strategyId);
  if (pos === undefined) {
    pos = { strategyId: f.strategyId, inst, qty: ZERO };
    byStrategy.set(f.strategyId, pos);
    LAST_HELD.keep(pos);
  }
  return pos;
}
