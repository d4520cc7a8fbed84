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

/**
 * The query of a route. Strict, as bodies are: a misspelt filter (`?strategyid=`) is a 400
 * naming it, never an unfiltered list that looks filtered. A window whose `from` is after
 * its `to` is a 400 too, never an empty answer that reads as "nothing happened then".
 */
export function queryOf<T extends z.ZodRawShape>(shape: T) {
  return z.strictObject(shape).refine(fromNotAfterTo, { message: 'from is after to', path: ['from'] });
}

/** The query of a list that takes no filter: `?limit=5` there is a 400, not the whole list. */
export const noQuery = queryOf({});

/** Whether a from/to window (either end optional) is in order; `from = to` is a valid empty window. */
export function fromNotAfterTo(q: object): boolean {
  const { from, to } = q as { from?: unknown; to?: unknown };
  return typeof from !== 'number' || typeof to !== 'number' || from <= to;
}

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

/** A positive count of a unit, no leading zero: `0m` has no length and `01m` names no stored series. */
export const timeframeText = z.string().regex(/^[1-9]\d{0,5}[smhdw]$/, 'timeframe looks like 1m');

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
