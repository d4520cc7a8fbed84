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

/** Reads a strategy's parameters from its zod schema (defaults, min/max, `.meta({ step })`). */
export function describeParams(cls: AnyStrategyClass): ParamInfo[] {
  const schema = z.toJSONSchema(cls.paramsSchema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonSchemaProperty>;
  };
  return Object.entries(schema.properties ?? {}).map(([name, p]) => {
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

const DECLARED = new WeakMap<AnyStrategyClass, ReadonlySet<string> | null>();

/**
 * The parameter names a strategy declares, or undefined when its schema takes any key
 * (`z.looseObject`). Computed once per class: validation asks for it on every run.
 */
export function declaredParamNames(cls: AnyStrategyClass): ReadonlySet<string> | undefined {
  let names = DECLARED.get(cls);
  if (names === undefined) {
    const schema = z.toJSONSchema(cls.paramsSchema, { io: 'input', unrepresentable: 'any' }) as {
      properties?: Record<string, unknown>;
      additionalProperties?: unknown;
    };
    const open = schema.additionalProperties !== undefined && schema.additionalProperties !== false;
    names = open ? null : new Set(Object.keys(schema.properties ?? {}));
    DECLARED.set(cls, names);
  }
  return names ?? undefined;
}
