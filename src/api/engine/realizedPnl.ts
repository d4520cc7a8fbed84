import type { Fixed } from '../../core/Fixed.js';
import { ZERO, abs, add, min, mul, mulDiv, neg, sub } from '../../core/Fixed.js';

/** What the PnL fold reads of a fill. */
export interface PnlFill {
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: 'BUY' | 'SELL';
  readonly qty: Fixed;
  readonly px: Fixed;
  readonly fee: Fixed;
  readonly feeCurrency: string;
  readonly ts: number;
}

/** Realized PnL and fees of one strategy (on one UTC day, for the daily table). */
export interface PnlBucket {
  realized: Fixed;
  fees: Fixed;
  fills: number;
}

export interface RealizedPnl {
  readonly realized: Fixed;
  readonly fees: Fixed;
  readonly byStrategy: Map<string, PnlBucket>;
  /** Key `YYYY-MM-DD|strategyId`. */
  readonly byDay: Map<string, PnlBucket>;
}

const utcDay = (ts: number): string => new Date(ts).toISOString().slice(0, 10);

/**
 * The base coin of a spot symbol in ccxt's unified form (`BTC/USDT` → BTC); undefined for a
 * derivative (`BTC/USDT:USDT`), whose fees never come out of a coin position.
 */
function spotBase(symbol: string): string | undefined {
  const slash = symbol.indexOf('/');
  return slash > 0 && !symbol.includes(':') ? symbol.slice(0, slash) : undefined;
}

function bucket(map: Map<string, PnlBucket>, key: string): PnlBucket {
  let b = map.get(key);
  if (b === undefined) {
    b = { realized: ZERO, fees: ZERO, fills: 0 };
    map.set(key, b);
  }
  return b;
}

/**
 * Realized PnL from the fill history, exact, with the account's own bookkeeping: one
 * average-cost position per symbol across strategies (what the Ledger keeps), so the total
 * equals the ledger's realized PnL to the last unit. Each fill's realized part is credited
 * to the strategy that sent it and to its UTC day — a close sent from the API or the kill
 * switch is credited to `api`/`kill-switch`, which is what happened. Fees count in the
 * account currency only (a spot fee in the base coin reduces the position instead, as the
 * Ledger books it); a window [from, to) selects which fills are credited, while the
 * cost basis is always folded from the first fill.
 */
export function realizedPnl(
  fills: Iterable<PnlFill>,
  currency: string,
  window: { from?: number | undefined; to?: number | undefined } = {},
): RealizedPnl {
  const positions = new Map<string, { qty: Fixed; cost: Fixed }>();
  const byStrategy = new Map<string, PnlBucket>();
  const byDay = new Map<string, PnlBucket>();
  let realized = ZERO;
  let fees = ZERO;
  for (const f of fills) {
    const pos = positions.get(f.symbol) ?? { qty: ZERO, cost: ZERO };
    const buy = f.side === 'BUY';
    let pnl = ZERO;
    const reducing = pos.qty !== ZERO && pos.qty > 0n !== buy;
    const closeQty = reducing ? min(f.qty, abs(pos.qty)) : ZERO;
    if (closeQty > 0n) {
      const released = mulDiv(pos.cost, closeQty, abs(pos.qty));
      const exit = pos.qty > 0n ? mul(closeQty, f.px) : neg(mul(closeQty, f.px));
      pnl = sub(exit, released);
      pos.cost = sub(pos.cost, released);
      pos.qty = pos.qty > 0n ? sub(pos.qty, closeQty) : add(pos.qty, closeQty);
    }
    const openQty = sub(f.qty, closeQty);
    if (openQty > 0n) {
      const notional = mul(openQty, f.px);
      pos.cost = add(pos.cost, buy ? notional : neg(notional));
      pos.qty = buy ? add(pos.qty, openQty) : sub(pos.qty, openQty);
    }
    if (pos.qty === ZERO) pos.cost = ZERO;
    // As the Ledger books it: a spot fee in the base coin (Binance takes a buy's fee in the
    // coin bought) delivers less of the coin, the cost stays; a fee that takes the last coins
    // realizes their cost. Left out, the replay kept phantom coins and credited their cost to
    // whichever strategy sold next.
    if (f.fee !== ZERO && f.feeCurrency === spotBase(f.symbol)) {
      pos.qty = sub(pos.qty, f.fee);
      if (pos.qty === ZERO && pos.cost !== ZERO) {
        pnl = sub(pnl, pos.cost);
        pos.cost = ZERO;
      }
    }
    positions.set(f.symbol, pos);
    if ((window.from !== undefined && f.ts < window.from) || (window.to !== undefined && f.ts >= window.to))
      continue;
    const fee = f.feeCurrency === currency ? f.fee : ZERO;
    realized = add(realized, pnl);
    fees = add(fees, fee);
    for (const b of [bucket(byStrategy, f.strategyId), bucket(byDay, `${utcDay(f.ts)}|${f.strategyId}`)]) {
      b.realized = add(b.realized, pnl);
      b.fees = add(b.fees, fee);
      b.fills += 1;
    }
  }
  return { realized, fees, byStrategy, byDay };
}
