import { QtsError } from './QtsError.js';

/** YYYY-MM-DD, optionally followed by a time of day and a UTC offset (ISO-8601). */
const DATE_OPTION =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|([+-])(\d{2}):(\d{2}))?)?$/;

/**
 * An ISO-8601 date (YYYY-MM-DD, UTC midnight) or time (YYYY-MM-DDTHH:MM[:SS[.mmm]] with an
 * optional Z or ±HH:MM) as epoch ms, or undefined when the text is anything else. A time
 * without an offset is UTC: Date.parse would read it in the machine's zone, and the same
 * input would mean another instant on another machine. Nothing else is guessed at
 * (Date.parse reads "1" as 2001-01-01 and "2014-02-30" as March 2nd).
 */
export function parseIsoUtc(text: string): number | undefined {
  const m = DATE_OPTION.exec(text);
  if (m === null) return undefined;
  const part = (i: number): number => Number(m[i] ?? 0);
  const ms = Number((m[7] ?? '').padEnd(3, '0'));
  const utc = Date.UTC(part(1), part(2) - 1, part(3), part(4), part(5), part(6), ms);
  // Date.UTC rolls 2014-02-30 over to March 2nd and 24:00 to the next day: refuse what moved.
  const back = new Date(utc);
  const real =
    back.getUTCFullYear() === part(1) &&
    back.getUTCMonth() === part(2) - 1 &&
    back.getUTCDate() === part(3) &&
    back.getUTCHours() === part(4) &&
    back.getUTCMinutes() === part(5) &&
    back.getUTCSeconds() === part(6);
  const offsetMs = (m[9] === '-' ? -1 : 1) * (part(10) * 60 + part(11)) * 60_000;
  return real ? utc - offsetMs : undefined;
}

/**
 * A --from/--to option: YYYY-MM-DD (UTC midnight) or an ISO-8601 time, as epoch ms (see
 * {@link parseIsoUtc}); undefined when absent. Anything else is refused rather than guessed.
 */
export function parseDateOption(name: string, text: string): number;
export function parseDateOption(name: string, text: string | undefined): number | undefined;
export function parseDateOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseIsoUtc(text);
  if (ms !== undefined) return ms;
  throw new QtsError(
    'ERR_INVALID_OPTION',
    `--${name}: not a date "${text}" (use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM], UTC)`,
  );
}

/** The --from/--to range, refused when it is empty: --to is exclusive, so it must come after --from. */
export function parseDateRange(
  fromText: string | undefined,
  toText: string | undefined,
): { from: number | undefined; to: number | undefined } {
  const from = parseDateOption('from', fromText);
  const to = parseDateOption('to', toText);
  if (from !== undefined && to !== undefined && to <= from)
    throw new QtsError('ERR_INVALID_OPTION', `--to ${toText} must be after --from ${fromText}`);
  return { from, to };
}
