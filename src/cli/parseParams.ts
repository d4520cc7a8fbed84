import { QtsError } from '../core/QtsError.js';

/**
 * A number as people write one: decimal, optionally signed, with an exponent. Number() alone
 * also reads "0x10" as 16, "0b11" as 3 and " " as 0, which no one means as a parameter.
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Parses "fast=10,slow=30,mode=upper" into values: numbers where the text is numeric,
 * booleans for true/false, strings otherwise. The strategy's zod schema judges them after.
 */
export function parseParams(text: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (text === undefined || text.trim() === '') return out;
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    if (eq <= 0 || key === '') {
      throw new QtsError('ERR_INVALID_PARAMS', `parameter "${part}" is not of the form name=value`);
    }
    if (Object.hasOwn(out, key))
      throw new QtsError('ERR_INVALID_PARAMS', `parameter "${key}" is given twice: which one is meant?`);
    const raw = part.slice(eq + 1).trim();
    if (raw === 'true' || raw === 'false') out[key] = raw === 'true';
    else if (DECIMAL.test(raw) && Number.isFinite(Number(raw))) out[key] = Number(raw);
    else out[key] = raw;
  }
  return out;
}

/**
 * Commander's reader of a repeated `--params`: the lists join into one, so
 * `--params fast=5 --params slow=20` means both (commander alone kept the last one and ran with
 * the default fast without a word), and one name in two of them is refused as "given twice".
 */
export function collectParams(value: string, previous: string | undefined): string {
  return previous === undefined ? value : `${previous},${value}`;
}
