import { z } from 'zod';

/**
 * The keys of `value` that `schema` does not declare, as dotted paths (`risk.maxOrderNotionl`,
 * `strategies.0.param`). zod drops such keys without a word, so a misspelt limit would leave
 * the engine running without it: the loader refuses them instead. Free-form records
 * (`params`) are not looked into; their owner validates them.
 */
export function unknownKeys(schema: z.ZodType, value: unknown, path: readonly string[] = []): string[] {
  if (
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodPrefault ||
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable
  )
    return unknownKeys(schema.unwrap() as z.ZodType, value, path);
  if (schema instanceof z.ZodPipe) return unknownKeys(schema.in as z.ZodType, value, path);
  if (typeof value !== 'object' || value === null) return [];
  if (schema instanceof z.ZodArray && Array.isArray(value))
    return value.flatMap((v, i) => unknownKeys(schema.element as z.ZodType, v, [...path, String(i)]));
  if (Array.isArray(value)) return [];
  const entries = Object.entries(value);
  if (schema instanceof z.ZodRecord)
    return entries.flatMap(([k, v]) => unknownKeys(schema.valueType as z.ZodType, v, [...path, k]));
  if (!(schema instanceof z.ZodObject)) return [];
  const shape = schema.shape as Record<string, z.ZodType>;
  return entries.flatMap(([k, v]) => {
    const field = Object.hasOwn(shape, k) ? shape[k] : undefined;
    return field === undefined ? [[...path, k].join('.')] : unknownKeys(field, v, [...path, k]);
  });
}
