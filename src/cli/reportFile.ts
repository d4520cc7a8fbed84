import type { Stats } from 'node:fs';
import {
  accessSync,
  constants,
  mkdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import { QtsError } from '../core/QtsError.js';

/** The report files a command was asked to write, by option name. */
export interface ReportPaths {
  readonly json?: string | undefined;
  readonly html?: string | undefined;
}

/**
 * Refuses, before any work, a report path that cannot be written (a directory, a folder that
 * is a file, no permission): an optimization of an hour must not end in a write error. Also
 * refuses a report that would overwrite another report of the run or one of its `inputs` (the
 * candle file, the report a Monte Carlo reads): writing it would destroy what the run came from.
 */
export function checkReportPaths(paths: ReportPaths, inputs: readonly string[] = []): void {
  const taken: { path: string; what: string }[] = inputs.map((path) => ({ path, what: 'an input' }));
  for (const option of ['json', 'html'] as const) {
    const path = paths[option];
    if (path === undefined) continue;
    // `-` means stdout to every Unix tool; only `qts backtest --json -` writes there (and takes
    // it out before calling this). Elsewhere it would be a file named `-` in the working folder.
    if (path === '-')
      throw new QtsError(
        'ERR_INVALID_OPTION',
        `--${option} -: writing to stdout is only supported by qts backtest --json -; give a file name`,
      );
    const problem = pathProblem(path);
    if (problem !== undefined) throw new QtsError('ERR_INVALID_OPTION', `--${option}: ${path} ${problem}`);
    const clash = taken.find((t) => sameFile(t.path, path));
    if (clash !== undefined)
      throw new QtsError(
        'ERR_INVALID_OPTION',
        `--${option}: ${path} is ${clash.what} of this run (${clash.path}); give another file name`,
      );
    taken.push({ path, what: `the --${option} report` });
  }
}

/**
 * Writes a report file, making its folder; a failure is ERR_OUTPUT_WRITE naming the path. The
 * text goes to a temp file beside it, renamed over the report once whole: a run stopped mid-write
 * (Ctrl-C, a full disk) leaves the previous report as it was, never a truncated JSON in its place.
 * A path that is a link keeps being one: the file it points at is the one replaced.
 */
export function writeReportFile(path: string, text: string): void {
  let temp: string | undefined;
  try {
    mkdirSync(dirname(path), { recursive: true });
    const own = statOf(path);
    // A device or a pipe (/dev/stdout, a FIFO) is written as it is: a rename would replace it.
    if (own !== undefined && !own.isFile() && !own.isDirectory()) {
      writeFileSync(path, text);
      return;
    }
    const target = own === undefined ? path : realpathSync(path);
    temp = `${target}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, text);
    } catch (e) {
      // A report file we may write in a folder we may not add to: written in place, as before.
      if (own === undefined || (e as NodeJS.ErrnoException).code !== 'EACCES') throw e;
      temp = undefined;
      writeFileSync(path, text);
      return;
    }
    renameSync(temp, target);
  } catch (e) {
    if (temp !== undefined) rmSync(temp, { force: true });
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new QtsError('ERR_OUTPUT_WRITE', `cannot write ${path} (${code}): ${(e as Error).message}`);
  }
}

function pathProblem(path: string): string | undefined {
  const own = statOf(path);
  if (own?.isDirectory()) return 'is a directory; give a file name';
  if (own !== undefined) return writable(path) ? undefined : 'is not writable';
  // The file is new: its nearest existing folder must be a folder we may write in.
  for (let dir = dirname(resolve(path)); ; dir = dirname(dir)) {
    const st = statOf(dir);
    if (st !== undefined) {
      if (!st.isDirectory()) return `cannot be made: ${dir} is a file, not a folder`;
      return writable(dir) ? undefined : `cannot be made: no permission to write in ${dir}`;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** Whether two paths name one file: the same inode when both exist (links included), else the same resolved path. */
function sameFile(a: string, b: string): boolean {
  const sa = statOf(a);
  const sb = statOf(b);
  if (sa !== undefined && sb !== undefined) return sa.dev === sb.dev && sa.ino === sb.ino;
  return resolve(a) === resolve(b);
}

/** What stat says of `path`, or undefined when it cannot say (missing, or under a file: ENOTDIR). */
function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
