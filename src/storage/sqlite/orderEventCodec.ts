import { z } from 'zod';
import type { Fixed } from '../../core/Fixed.js';
import { parseFixed } from '../../core/Fixed.js';
import { QtsError } from '../../core/QtsError.js';
import { Liquidity, OrderSide, OrderType, TimeInForce } from '../../model/enums.js';
import type { OrderEvent } from '../../model/events.js';
import type { OrderRequest } from '../../model/OrderRequest.js';
import { StorageErrorCode } from '../StorageErrorCode.js';
import { jsonText } from './jsonText.js';

/** Exactly what formatFixed writes: no exponent, no '+', no spaces, nothing to round. */
const fixed = z
  .string()
  .regex(/^-?\d+(?:\.\d{1,16})?$/, 'a plain decimal')
  .transform((s): Fixed => parseFixed(s));

const requestSchema = z.object({
  symbol: z.string(),
  side: z.enum(OrderSide),
  type: z.enum(OrderType),
  quantity: fixed,
  price: fixed.optional(),
  triggerPrice: fixed.optional(),
  trailingPct: fixed.optional(),
  timeInForce: z.enum(TimeInForce),
  postOnly: z.boolean(),
  reduceOnly: z.boolean(),
  ocoGroup: z.string().optional(),
  parentId: z.string().optional(),
  tag: z.string().optional(),
});

const base = {
  eventId: z.string(),
  orderId: z.string(),
  strategyId: z.string(),
  symbol: z.string(),
  ts: z.number(),
};

/*
 * Unknown keys are dropped on decode (a venue adapter may have left extra fields on an event
 * object; they were never part of the model). The opposite drift — a field the model gained
 * but this codec does not know — is caught at compile time below, and by the round-trip
 * property test.
 */
const eventSchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('OrderInitialized'), request: requestSchema }),
  z.object({ ...base, type: z.literal('OrderDenied'), code: z.string(), reason: z.string() }),
  z.object({ ...base, type: z.literal('OrderSubmitted') }),
  z.object({ ...base, type: z.literal('OrderAccepted'), venueOrderId: z.string() }),
  z.object({ ...base, type: z.literal('OrderRejected'), code: z.string(), reason: z.string() }),
  z.object({ ...base, type: z.literal('OrderTriggered') }),
  z.object({
    ...base,
    type: z.literal('OrderFilled'),
    tradeId: z.string(),
    side: z.enum(OrderSide),
    lastQty: fixed,
    lastPx: fixed,
    fee: fixed,
    feeCurrency: z.string(),
    liquidity: z.enum(Liquidity),
  }),
  z.object({ ...base, type: z.literal('OrderCanceled'), reason: z.string() }),
  z.object({ ...base, type: z.literal('OrderExpired') }),
  z.object({ ...base, type: z.literal('OrderCancelRequested'), reason: z.string() }),
  z.object({
    ...base,
    type: z.literal('OrderAmendRequested'),
    price: fixed.optional(),
    quantity: fixed.optional(),
    reason: z.string(),
  }),
  z.object({
    ...base,
    type: z.literal('OrderAmended'),
    price: fixed.optional(),
    quantity: fixed,
    previousPrice: fixed.optional(),
    previousQuantity: fixed,
    reason: z.string(),
  }),
  z.object({ ...base, type: z.literal('OrderAmendRejected'), code: z.string(), reason: z.string() }),
]);

// Compile-time guards: every event type of the model has a schema, and every field of every
// event and of the request is decoded (none silently dropped on the way back).
type Decoded = z.output<typeof eventSchema>;
type MissingType = Exclude<OrderEvent['type'], Decoded['type']>;
type MissingField = {
  [T in OrderEvent['type']]: Exclude<
    keyof Extract<OrderEvent, { type: T }>,
    keyof Extract<Decoded, { type: T }>
  >;
}[OrderEvent['type']];
type MissingRequestField = Exclude<keyof OrderRequest, keyof z.output<typeof requestSchema>>;
const _codecCoversTheModel: [MissingType, MissingField, MissingRequestField] extends [never, never, never]
  ? true
  : never = true;
void _codecCoversTheModel;

/**
 * Order requests and events as stored JSON: Fixed amounts as decimal strings, decoded back
 * to the exact same values. A row that does not decode is ERR_DB_CORRUPT naming where it is.
 */
export const orderEventCodec = {
  encode(value: OrderEvent | OrderRequest): string {
    return jsonText(value);
  },

  decodeEvent(text: string, where: string): OrderEvent {
    const event: OrderEvent = parse(eventSchema, text, where);
    return event;
  },

  decodeRequest(text: string, where: string): OrderRequest {
    const request: OrderRequest = parse(requestSchema, text, where);
    return request;
  },
};

function parse<S extends z.ZodType>(schema: S, text: string, where: string): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw corrupt(where, e instanceof Error ? e.message : String(e));
  }
  const result = schema.safeParse(raw);
  if (!result.success) throw corrupt(where, z.prettifyError(result.error));
  return result.data;
}

function corrupt(where: string, why: string): QtsError {
  return new QtsError(StorageErrorCode.Corrupt, `${where}: stored JSON does not decode: ${why}`, { where });
}
