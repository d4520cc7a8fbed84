/**
 * What the order state-machine tests share: a 2 BTC limit buy at 100, and order events for it
 * with increasing ids and timestamps (order O1 unless told).
 */
import { toFixed } from '../../src/core/Fixed.js';
import type { OrderEvent } from '../../src/model/events.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';

export const request: OrderRequest = {
  symbol: 'BTC/USDT',
  side: 'BUY',
  type: 'LIMIT',
  quantity: toFixed(2),
  price: toFixed(100),
  timeInForce: 'GTC',
  postOnly: false,
  reduceOnly: false,
};

let seq = 0;

/** The number the last event got (its id suffix and timestamp). */
export const lastSeq = (): number => seq;

/** An event of order `id`: `fields` are the event's own (its type and what that type carries). */
export function ev(fields: { type: OrderEvent['type'] } & Record<string, unknown>, id = 'O1'): OrderEvent {
  seq += 1;
  return {
    eventId: `E${seq}`,
    orderId: id,
    strategyId: 's',
    symbol: 'BTC/USDT',
    ts: seq,
    ...fields,
  } as OrderEvent;
}
