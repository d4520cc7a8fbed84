/** True when some file under `dir` was modified after `time` (ms since the epoch). */
export function changedSince(dir: string, time: number): boolean;
