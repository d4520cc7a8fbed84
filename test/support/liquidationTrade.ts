import { parseFixed } from '../../src/core/Fixed.js';
import type { LiquidationTrade } from '../../src/model/futuresEvents.js';

/** One trade of a liquidation order, amounts as decimal text; `id` also orders the timestamps. */
export function liquidationTrade(
  id: string,
  qty: string,
  price: string,
  fee: string,
  feeCurrency = 'USDT',
): LiquidationTrade {
  return {
    id,
    ts: 1_700_000_000_000 + Number(id),
    qty: parseFixed(qty),
    price: parseFixed(price),
    fee: parseFixed(fee),
    feeCurrency,
  };
}
