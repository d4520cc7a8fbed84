import { ClassKeeper } from '../core/ClassKeeper.js';
import { StableMap } from '../core/StableMap.js';
import { OrderSide } from '../model/enums.js';
import type { LastPrice } from './markOpenTrips.js';
import { markOpenTrips } from './markOpenTrips.js';
import type { OpenTrip } from './openTrip.js';
import { finish, handOnDust, newTrip } from './openTrip.js';
import { TripKeys } from './tripKeys.js';
import type { FillRecord, RoundTrip } from './types.js';

export type { LastPrice } from './markOpenTrips.js';

/**
 * A position smaller than this fraction of the quantity opened in the trip counts as flat.
 * Float quantities (0.1 + 0.2 − 0.3) never return exactly to zero; the ledger is exact,
 * this report is not, and a dust remainder must not keep a finished trip open forever.
 */
const FLAT_EPSILON = 1e-9;

/**
 * Cuts the fill log into round trips per (strategyId, symbol).
 *
 * Conventions:
 * - Fills are taken in the order given (the trade log order); quantities are positive and
 *   the side gives the sign. A trip opens when the signed position leaves zero and closes
 *   when it returns to zero; scale-ins add to the entry, partial exits to the exit.
 * - A fill that crosses zero closes the trip with the part that flattens it and opens a new
 *   trip (other side) with the remainder; its fee is split pro rata by quantity.
 * - entryPrice / exitPrice are quantity-weighted averages of the opening / closing fills;
 *   `quantity` is the total quantity opened. pnl = sign × (exit notional − entry notional)
 *   − the trip's fees paid in money: what the trip's trades paid and received, whatever the
 *   interleaving of scale-ins and partial exits. returnPct = pnl ÷ entry notional.
 * - A fee in the settle currency is money. A spot fee taken in the coin (Instrument.feeSide:
 *   Binance spot takes a buy's fee from the coins bought) is not: it takes coins out of the
 *   position, so the trip sells fewer than it bought and the loss is already in its notional;
 *   `fees` shows it valued at its fill's price (fee × price), as the ledger's feesInSettle
 *   does. A fee in a third currency (BNB) has no price here and is left out of the trip.
 * - A fill flagged in `dustAfter` (dustAfterFills: it leaves a position too small for any
 *   closing order, decided on the exact amounts by the rule PositionViews shows strategies)
 *   leaves a flat position, as the strategy sees it: the trip closes and its dust is handed
 *   on to the pair's next trip on the same side, valued at the closing fill's price (the
 *   closing trip is credited with it, the next one pays it).
 * - barsHeld = barIndex of the last closing fill − barIndex of the first opening fill.
 * - A trip still open at the end is marked to `lastPrices` (falling back to the last fill
 *   price of that symbol): the remaining position counts as exited at the mark with no exit
 *   fee, exitPrice is the weighted average including the mark, and closed is false.
 * - Output is sorted by entry time; ties keep the order in which trips completed
 *   (closed trips before the open ones).
 */
export function roundTripsFromFills(
  fills: readonly FillRecord[],
  lastPrices: ReadonlyMap<string, LastPrice>,
  dustAfter?: ArrayLike<number>,
): RoundTrip[] {
  const trips = new StableMap<OpenTrip>();
  const done: RoundTrip[] = [];
  const keys = new TripKeys();
  let openings = 0;

  for (let k = 0; k < fills.length; k++) {
    const fill = fills[k] as FillRecord;
    if (!(fill.quantity > 0) || !Number.isFinite(fill.price)) continue;
    const key = keys.of(fill.strategyId, fill.symbol);
    const fillSign = fill.side === OrderSide.BUY ? 1 : -1;
    let t = trips.get(key);
    if (t === undefined) {
      t = newTrip(fill.strategyId, fill.symbol);
      trips.set(key, t);
    }
    let qty = fill.quantity;
    const charged = Number.isFinite(fill.fee) ? fill.fee : 0;
    // Money paid, and coins taken (a fee in the coin: see the conventions above).
    let fee = charged !== 0 && fill.feeCurrency === t.settle ? charged : 0;
    let coins = charged !== 0 && fill.feeCurrency !== t.settle && fill.feeCurrency === t.base ? charged : 0;

    if (t.opened > 0 && t.sign !== fillSign) {
      // Reducing (or flipping) the open trip.
      const closeQty = Math.min(qty, t.position);
      const closeFee = (fee * closeQty) / qty;
      const closeCoins = (coins * closeQty) / qty;
      t.exitQty += closeQty;
      t.exitNotional += closeQty * fill.price;
      t.fees += closeFee + closeCoins * fill.price;
      t.cashFees += closeFee;
      // Coins a fee takes leave the holding: a long holds fewer, a short owes more.
      t.position -= closeQty + t.sign * closeCoins;
      t.exitTs = fill.ts;
      t.exitBar = fill.barIndex;
      qty -= closeQty;
      fee -= closeFee;
      coins -= closeCoins;
      const dust = dustAfter !== undefined && dustAfter[k] === 1;
      if (t.position > FLAT_EPSILON * t.entryQty && !dust) continue;
      if (dust) handOnDust(t, fill.price);
      done.push(finish(t, true));
      t.opened = 0;
      // A remainder within the flat tolerance is dust from float sums, not a new position.
      if (qty <= FLAT_EPSILON * closeQty) continue;
    } else if (t.opened > 0) {
      // Scale-in on the same side.
      t.entryQty += qty;
      t.entryNotional += qty * fill.price;
      t.fees += fee + coins * fill.price;
      t.cashFees += fee;
      t.position += qty - t.sign * coins;
      continue;
    }

    if (qty <= 0) continue;
    t.opened = ++openings;
    t.sign = fillSign;
    t.entryTs = fill.ts;
    t.entryBar = fill.barIndex;
    t.position = qty - fillSign * coins;
    t.entryQty = qty;
    t.entryNotional = qty * fill.price;
    t.exitQty = 0;
    t.exitNotional = 0;
    t.fees = fee + coins * fill.price;
    t.cashFees = fee;
    t.carry = 0;
    if (t.dust > 0 && t.dustSign === fillSign) {
      // The last trip's dust is held again: this trip sells it, and pays for it.
      t.position += t.dust;
      t.carry = -fillSign * t.dust * t.dustPx;
    }
    t.dust = 0;
    t.exitTs = fill.ts;
    t.exitBar = fill.barIndex;
  }

  LAST_CUT.keep({ keys, trips, trip: done[done.length - 1] });
  // Plain calls after the loop: V8 compiles this function on stack, inside the loop, and a
  // property read below it with no feedback yet threw that code away at every run's end.
  return markOpenTrips(trips, done, fills, lastPrices);
}

/**
 * The last cut's key memo, accumulators and one of its trips, kept for their classes (see
 * ClassKeeper): every report cuts its trips once, so without them each report after a full
 * collection ran the cut's code (here, openTrip.ts, markOpenTrips.ts, tripKeys.ts) unoptimized
 * again.
 */
const LAST_CUT = new ClassKeeper<{
  keys: TripKeys;
  trips: StableMap<OpenTrip>;
  trip: RoundTrip | undefined;
}>();

/**
 * Shapes primed at load (see primeShapes in stats.ts): a first trip of fractional amounts
 * widens every field of the open trip and of the round trip before any code is optimized,
 * so a later run with whole-number quantities or zero fees cannot retire their shapes.
 */
function primeShapes(): void {
  const fill: FillRecord = {
    ts: 2 ** 40 + 0.5,
    orderId: 'prime-1',
    tradeId: 'prime-1',
    strategyId: 'prime',
    symbol: 'PRIME/USDT',
    side: OrderSide.BUY,
    quantity: 0.5,
    price: 1.5,
    fee: 0.25,
    feeCurrency: 'USDT',
    barIndex: 1,
  };
  // Opens long, flips short (closing one trip), and leaves the short open to be marked.
  roundTripsFromFills([fill, { ...fill, side: OrderSide.SELL, quantity: 1.25, barIndex: 2 }], new Map());
  // A coin fee on the buy, dust handed on to the next trip.
  const coin = { ...fill, fee: 0.125, feeCurrency: 'PRIME' };
  roundTripsFromFills(
    [coin, { ...fill, side: OrderSide.SELL, quantity: 0.25 }, coin],
    new Map(),
    Uint8Array.of(0, 1, 0),
  );
}

primeShapes();
