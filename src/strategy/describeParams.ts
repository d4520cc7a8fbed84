import { z } from 'zod';
import type { AnyStrategyClass } from './Strategy.js';

/** One declared parameter: type, default and optimization range, as users and the optimizer see it. */
export interface ParamInfo {
  readonly name: string;
  readonly type: string;
  readonly default?: unknown;
  readonly min?: number;
  readonly max?: number;
  readonly step?: number;
  readonly enum?: readonly unknown[];
  readonly description?: string;
}

interface JsonSchemaProperty {
  type?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  step?: number;
  enum?: unknown[];
  description?: string;
}

interface ParamsJsonSchema {
  properties?: Record<string, JsonSchemaProperty>;
  additionalProperties?: unknown;
}

const SCHEMAS = new WeakMap<AnyStrategyClass, ParamsJsonSchema>();

/** A strategy's parameter schema as JSON Schema, made once per class: validation reads it on every run. */
function paramsJsonSchema(cls: AnyStrategyClass): ParamsJsonSchema {
  let schema = SCHEMAS.get(cls);
  if (schema === undefined) {
    schema = z.toJSONSchema(cls.paramsSchema, { io: 'input', unrepresentable: 'any' }) as ParamsJsonSchema;
    SCHEMAS.set(cls, schema);
  }
  return schema;
}

/** Reads a strategy's parameters from its zod schema (defaults, min/max, `.meta({ step })`). */
export function describeParams(cls: AnyStrategyClass): ParamInfo[] {
  return Object.entries(paramsJsonSchema(cls).properties ?? {}).map(([name, p]) => {
    const info: Record<string, unknown> = { name, type: p.type ?? (p.enum ? 'enum' : 'unknown') };
    if (p.default !== undefined) info['default'] = p.default;
    const min = p.minimum ?? p.exclusiveMinimum;
    const max = p.maximum ?? p.exclusiveMaximum;
    if (min !== undefined) info['min'] = min;
    if (max !== undefined) info['max'] = max;
    if (p.step !== undefined) info['step'] = p.step;
    if (p.enum !== undefined) info['enum'] = p.enum;
    if (p.description !== undefined) info['description'] = p.description;
    return info as unknown as ParamInfo;
  });
}

/**
 * The parameter names a strategy declares, or undefined when its schema takes any key
 * (`z.looseObject`).
 */
export function declaredParamNames(cls: AnyStrategyClass): ReadonlySet<string> | undefined {
  const schema = paramsJsonSchema(cls);
  const open = schema.additionalProperties !== undefined && schema.additionalProperties !== false;
  return open ? undefined : new Set(Object.keys(schema.properties ?? {}));
}
