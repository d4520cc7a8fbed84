/** The UTC calendar day of a timestamp, `YYYY-MM-DD`: the date in log and audit file names. */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** `prefix-YYYY-MM-DD.ext` names of one series of daily files, oldest first when sorted. */
export function datedFileName(prefix: string, ms: number, ext: string): string {
  return `${prefix}-${utcDate(ms)}.${ext}`;
}

/** The date of a `prefix-YYYY-MM-DD.ext` name of that series, or undefined for any other file. */
export function dateOfFileName(prefix: string, name: string, ext: string): string | undefined {
  if (!name.startsWith(`${prefix}-`) || !name.endsWith(`.${ext}`)) return undefined;
  const date = name.slice(prefix.length + 1, name.length - ext.length - 1);
  return /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : undefined;
}
