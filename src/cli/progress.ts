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
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { update: (done) => bar.update(done), stop: () => bar.stop() };
}
