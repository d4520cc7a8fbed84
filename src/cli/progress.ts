import cliProgress from 'cli-progress';

/** A progress bar on stderr for long runs; silent for short ones so scripts stay clean. */
export function createProgress(
  total: number,
  minTotal = 200_000,
): { update: (done: number, total: number) => void; stop: () => void } | undefined {
  if (total < minTotal) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      format: 'backtest [{bar}] {percentage}% | {value}/{total} bars | ETA {eta}s',
      stream: process.stderr,
      noTTYOutput: false,
      // The run is synchronous: Ctrl-C kills it by the signal's default action, and no handler
      // would get to undo a terminal change. So the bar changes none: the cursor stays visible
      // and line wrapping on (linewrap: true trims the bar to the screen width instead).
      hideCursor: false,
      linewrap: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { update: (done) => bar.update(done), stop: () => bar.stop() };
}
