import { QtsError } from '../core/QtsError.js';
import type { ParamInfo } from '../strategy/describeParams.js';
import { describeParams } from '../strategy/describeParams.js';
import type { AnyStrategyClass } from '../strategy/Strategy.js';

/** A value one parameter takes in a combination. */
export type ParamValue = number | string | boolean;

/** One searched parameter and the values it takes, in order. */
export interface ParamAxis {
  readonly name: string;
  readonly values: readonly ParamValue[];
}

/**
 * The space an optimizer searches: the product of its axes, in declared order. Parameters
 * that are not an axis keep the strategy's default. A combination is named by its index in
 * the grid (mixed radix, the last axis fastest), the same index whichever sampler drew it.
 */
export interface ParamSpace {
  readonly axes: readonly ParamAxis[];
  /** Number of combinations (product of the axis lengths). */
  readonly size: number;
}

/** Longest axis accepted; a range that long is a typo (a step of 0.0001 over 1..1000). */
const MAX_AXIS_VALUES = 1_000_000;

/**
 * The parameter space of a strategy for an optimization.
 *
 * Without overrides every parameter with a default and a declared range (numbers with
 * min/max/step in the zod schema, enums, booleans) is searched over that whole range.
 * With overrides, only the named parameters are searched and the others keep their
 * defaults. An override is `name` (its declared range), `name=a:b` (a..b in the declared
 * step), `name=a:b:step`, `name=v1,v2,v3` (a list) or `name=v` (fixed at v).
 *
 * Unknown names, values outside the declared bounds, a bad step or an enum value the
 * strategy does not know fail with ERR_OPTIMIZE_UNKNOWN_PARAM / ERR_OPTIMIZE_BAD_RANGE.
 * Constraints between parameters (fast < slow) are the strategy schema's to judge, per
 * combination: see {@link validCombo}.
 */
export function buildParamSpace(strategy: AnyStrategyClass, overrides: readonly string[] = []): ParamSpace {
  const infos = describeParams(strategy);
  const axes: ParamAxis[] = [];
  if (overrides.length === 0) {
    for (const p of infos) {
      if (p.default === undefined) continue;
      const values = declaredValues(p);
      if (values !== undefined) axes.push({ name: p.name, values });
    }
  } else {
    const given = new Map<string, string | undefined>();
    for (const o of overrides) {
      const eq = o.indexOf('=');
      const name = (eq < 0 ? o : o.slice(0, eq)).trim();
      if (given.has(name)) throw badRange(name, 'given twice');
      given.set(name, eq < 0 ? undefined : o.slice(eq + 1).trim());
    }
    for (const name of given.keys()) {
      if (!infos.some((p) => p.name === name)) {
        throw new QtsError(
          'ERR_OPTIMIZE_UNKNOWN_PARAM',
          `${strategy.id} has no parameter "${name}"; its parameters: ${infos.map((p) => p.name).join(', ')}`,
        );
      }
    }
    // Declared order, not command-line order, so the same space always has the same grid.
    for (const p of infos) {
      if (!given.has(p.name)) continue;
      const spec = given.get(p.name);
      const values = spec === undefined ? declaredValues(p) : parseValues(p, spec);
      if (values === undefined) {
        throw badRange(p.name, 'has no declared range; give values (name=a:b:step or name=v1,v2)');
      }
      axes.push({ name: p.name, values });
    }
  }
  const size = axes.reduce((n, a) => n * a.values.length, 1);
  if (!Number.isSafeInteger(size)) {
    throw new QtsError('ERR_OPTIMIZE_SPACE_TOO_LARGE', `the parameter space has more than 2^53 combinations`);
  }
  return { axes, size };
}

/** The parameters of combination `index` (0 ≤ index < space.size). */
export function comboAt(space: ParamSpace, index: number): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  let rest = index;
  for (let a = space.axes.length - 1; a >= 0; a--) {
    const axis = space.axes[a] as ParamAxis;
    const n = axis.values.length;
    out[axis.name] = axis.values[rest % n] as ParamValue;
    rest = Math.floor(rest / n);
  }
  // Re-keyed in declared order: params print and serialize the same way however they were made.
  const ordered: Record<string, ParamValue> = {};
  for (const axis of space.axes) ordered[axis.name] = out[axis.name] as ParamValue;
  return ordered;
}

/** The grid index of one value index per axis. */
export function indexOf(space: ParamSpace, valueIndices: readonly number[]): number {
  let index = 0;
  space.axes.forEach((axis, a) => {
    index = index * axis.values.length + (valueIndices[a] as number);
  });
  return index;
}

/** The value index per axis of grid index `index` (inverse of {@link indexOf}). */
export function valueIndicesOf(space: ParamSpace, index: number): number[] {
  const out = new Array<number>(space.axes.length);
  let rest = index;
  for (let a = space.axes.length - 1; a >= 0; a--) {
    const n = (space.axes[a] as ParamAxis).values.length;
    out[a] = rest % n;
    rest = Math.floor(rest / n);
  }
  return out;
}

/**
 * Whether the strategy accepts a combination, and why not. Strategies state their own
 * constraints (fast < slow) in their schema; combinations it refuses are skipped, never
 * run and never ranked.
 */
export function validCombo(
  strategy: AnyStrategyClass,
  params: Readonly<Record<string, ParamValue>>,
): { ok: true } | { ok: false; reason: string } {
  const r = strategy.paramsSchema.safeParse(params);
  if (r.success) return { ok: true };
  return {
    ok: false,
    reason: r.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; '),
  };
}

function declaredValues(p: ParamInfo): ParamValue[] | undefined {
  if (p.enum !== undefined) return p.enum.filter(isParamValue);
  if (p.type === 'boolean') return [false, true];
  if (p.type !== 'integer' && p.type !== 'number') return undefined;
  const step = p.step ?? (p.type === 'integer' ? 1 : undefined);
  if (p.min === undefined || p.max === undefined || step === undefined) return undefined;
  return numericRange(p, p.min, p.max, step);
}

function parseValues(p: ParamInfo, spec: string): ParamValue[] {
  if (spec === '') throw badRange(p.name, 'empty value list');
  if (p.enum !== undefined) {
    const values = spec.split(',').map((v) => v.trim());
    for (const v of values) {
      if (!p.enum.some((e) => String(e) === v)) {
        throw badRange(p.name, `"${v}" is not one of ${p.enum.map(String).join('|')}`);
      }
    }
    return unique(values.map((v) => p.enum?.find((e) => String(e) === v) as ParamValue));
  }
  if (p.type === 'boolean') {
    return unique(
      spec.split(',').map((v) => {
        const t = v.trim();
        if (t !== 'true' && t !== 'false') throw badRange(p.name, `"${t}" is not true or false`);
        return t === 'true';
      }),
    );
  }
  if (p.type !== 'integer' && p.type !== 'number') return unique(spec.split(',').map((v) => v.trim()));
  if (spec.includes(':')) {
    const parts = spec.split(':');
    if (parts.length > 3) throw badRange(p.name, `"${spec}" is not a:b or a:b:step`);
    const lo = num(p, parts[0] as string);
    const hi = num(p, parts[1] as string);
    const step =
      parts[2] !== undefined ? num(p, parts[2]) : (p.step ?? (p.type === 'integer' ? 1 : undefined));
    if (step === undefined) throw badRange(p.name, `has no declared step; write a:b:step`);
    if (!(step > 0)) throw badRange(p.name, `step must be positive, got ${step}`);
    if (lo > hi) throw badRange(p.name, `range start ${lo} is above its end ${hi}`);
    const values = numericRange(p, lo, hi, step);
    for (const v of values) checkBounds(p, v);
    return values;
  }
  const values = spec.split(',').map((v) => num(p, v));
  for (const v of values) checkBounds(p, v);
  return unique(values);
}

function numericRange(p: ParamInfo, lo: number, hi: number, step: number): number[] {
  const count = Math.floor((hi - lo) / step + 1e-9) + 1;
  if (count > MAX_AXIS_VALUES) {
    throw new QtsError(
      'ERR_OPTIMIZE_SPACE_TOO_LARGE',
      `${p.name}: ${lo}..${hi} in steps of ${step} is ${count} values (at most ${MAX_AXIS_VALUES}); narrow it with --param ${p.name}=a:b:step`,
    );
  }
  // Values are rounded to the decimals of the bounds and step, so 0.1 steps give 0.3, not 0.30000000000000004.
  const digits = Math.min(12, Math.max(decimals(lo), decimals(step)));
  const values: number[] = [];
  for (let i = 0; i < count; i++) values.push(Number((lo + i * step).toFixed(digits)));
  if (p.type === 'integer') {
    for (const v of values) if (!Number.isInteger(v)) throw badRange(p.name, `${v} is not a whole number`);
  }
  return values;
}

function num(p: ParamInfo, text: string): number {
  const t = text.trim();
  const n = Number(t);
  if (t === '' || !Number.isFinite(n)) throw badRange(p.name, `"${t}" is not a number`);
  if (p.type === 'integer' && !Number.isInteger(n)) throw badRange(p.name, `${n} is not a whole number`);
  return n;
}

function checkBounds(p: ParamInfo, v: number): void {
  if (p.min !== undefined && v < p.min) throw badRange(p.name, `${v} is below its minimum ${p.min}`);
  if (p.max !== undefined && v > p.max) throw badRange(p.name, `${v} is above its maximum ${p.max}`);
}

function decimals(x: number): number {
  const s = String(x);
  if (s.includes('e')) return 12;
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function isParamValue(v: unknown): v is ParamValue {
  return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';
}

function badRange(name: string, what: string): QtsError {
  return new QtsError('ERR_OPTIMIZE_BAD_RANGE', `--param ${name}: ${what}`);
}
