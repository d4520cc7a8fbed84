import { QtsError } from '../core/QtsError.js';

/**
 * A number as a trader types one on the command line: digits, an optional fraction, an optional
 * minus sign. Number() alone also reads "0x10" as 16, "0b11" as 3, "1e1" as 10 and " 5 " as 5,
 * so `--leverage 0x10` ran at 16x without a word; none of those is what anyone means.
 */
const PLAIN_DECIMAL = /^-?(\d+(\.\d+)?|\.\d+)$/;

/** The value of plain decimal text, or NaN for anything else (so every range check refuses it). */
export function plainNumber(text: string): number {
  return PLAIN_DECIMAL.test(text) ? Number(text) : Number.NaN;
}

/** What a numeric option's error adds when the text is no plain decimal at all. */
export function plainNumberHint(text: string): string {
  return PLAIN_DECIMAL.test(text) ? '' : ' (a plain decimal number such as 5 or 0.001)';
}

/**
 * A numeric option's value: plain decimal text only, within what `check` allows; anything else
 * fails ERR_INVALID_OPTION naming the option (every command's numeric options read through it).
 */
export function numberOption(name: string, text: string, check: (n: number) => boolean = () => true): number {
  const n = plainNumber(text);
  if (!Number.isFinite(n) || !check(n))
    throw new QtsError('ERR_INVALID_OPTION', `--${name}: invalid value "${text}"${plainNumberHint(text)}`);
  return n;
}
