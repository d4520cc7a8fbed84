import { toFixed } from '../../src/core/Fixed.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';

/** A market buy of 1 ETH/USDT, GTC, with `p` overriding any field: the risk tests' base order. */
export function ethRequest(p: Partial<OrderRequest>): OrderRequest {
  return {
    symbol: 'ETH/USDT',
    side: 'BUY',
    type: 'MARKET',
    quantity: toFixed(1),
    timeInForce: 'GTC',
    postOnly: false,
    reduceOnly: false,
    ...p,
  };
}
