/** The candle files of `--data` options: each entry may name several, comma-separated. */
export function dataFileList(entries: readonly string[]): string[] {
  return entries.flatMap((d) => d.split(',')).filter((f) => f !== '');
}
