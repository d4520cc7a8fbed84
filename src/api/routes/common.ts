import { z } from 'zod';
import { ErrorView } from '../views.js';

/** Error answers every route may give, for the OpenAPI document. */
export const ERRORS = { '4xx': ErrorView } as const;

/**
 * A whole number in a query string, digits only. `Number()` alone would read `?to=` and
 * `?to=%20` as 0 (a filter that silently matches nothing) and take `0x10` or `1e3`.
 */
export const wholeQuery = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,16}$/, 'a whole number (digits only)')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .meta({ description: `a whole number from ${min} to ${max}` });

/** Epoch-ms query bound. */
export const msQuery = wholeQuery(0, 8.64e15).optional();

/** `true`/`false` in a query string. */
export const boolQuery = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true')
  .optional();

export const limitQuery = (max: number, dflt: number) => wholeQuery(1, max).default(dflt);

export const offsetQuery = wholeQuery(0, 1_000_000).default(0);

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
    .regex(/^[\w.:-]+$/, 'letters, digits, _ . : -'),
});

/**
 * The body of a command whose every field is optional: no body at all (fastify hands the
 * validator null) means `{}`, as the docs promise. Give it a strictObject, so a typo
 * (`flaten`) is a 400 rather than a command run with the default.
 */
export function optionalBody<T extends z.ZodType>(schema: T) {
  return z.preprocess((v) => v ?? {}, schema);
}
