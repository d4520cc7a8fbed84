/**
 * Crash-sweep fault injection. With `QTS_CRASH_AT=<point>` (optionally `<point>:<n>`, the
 * n-th pass, default the first) the process kills itself with SIGKILL — no cleanup, no
 * flush, exactly as a power cut or `kill -9` — when it passes the named point. Without the
 * variable every call is one comparison; nothing else changes. The points sit where a crash
 * is hardest to recover from: after the intent is journaled but before it is sent, after a
 * fill arrived but before it is committed, in the middle of a reconciliation.
 */
const spec = parse(process.env['QTS_CRASH_AT']);
let passes = 0;

function parse(v: string | undefined): { point: string; nth: number } | undefined {
  if (v === undefined || v === '') return undefined;
  const [point = '', n] = v.split(':');
  return { point, nth: n === undefined ? 1 : Math.max(1, Number(n) || 1) };
}

/** Names a crash point; kills the process here when QTS_CRASH_AT asks for it. */
export function crashPoint(name: string): void {
  if (spec === undefined || spec.point !== name) return;
  passes += 1;
  if (passes >= spec.nth) process.kill(process.pid, 'SIGKILL');
}
