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
