import { z } from 'zod';
import { ErrorView } from '../views.js';

/** Error answers every route may give, for the OpenAPI document. */
export const ERRORS = { '4xx': ErrorView } as const;

/** Epoch-ms query bound. */
export const msQuery = z.coerce.number().int().min(0).max(8.64e15).optional();

/** `true`/`false` in a query string. */
export const boolQuery = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true')
  .optional();

export const limitQuery = (max: number, dflt: number) =>
  z.coerce.number().int().min(1).max(max).default(dflt);

export const offsetQuery = z.coerce.number().int().min(0).max(1_000_000).default(0);

export const symbolText = z
  .string()
  .regex(/^[A-Z0-9]+\/[A-Z0-9]+(:[A-Z0-9]+)?$/, 'symbol looks like BTC/USDT');

export const timeframeText = z.string().regex(/^\d+[smhdw]$/, 'timeframe looks like 1m');

/** A decimal amount as text, validated before it reaches the exact type. */
export const decimalText = z.string().regex(/^\d{1,20}(\.\d{1,16})?$/, 'a positive decimal like 0.5');

/** Free text a person types (reasons), bounded. */
export const reasonText = z.string().min(1).max(200);

export const idParam = z.object({
  id: z
    .string()
    .min(1)
    .max(80)
    .regex(/^[\w.:-]+$/, 'id: letters, digits, _ . : -'),
});
