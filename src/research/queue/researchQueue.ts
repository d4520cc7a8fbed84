import { QtsError } from '../../core/QtsError.js';
import type { ComboTask } from '../ComboTask.js';

/** Default BullMQ queue of research jobs. */
export const DEFAULT_QUEUE_NAME = 'qts-research';

/** How long a run's data and results stay in Redis if its coordinator never cleans up. */
export const RUN_TTL_SECONDS = 24 * 3600;

/** The data of one BullMQ job: a task of a batch of a run. */
export interface ComboJob {
  readonly runId: string;
  readonly batch: number;
  readonly i: number;
  readonly task: ComboTask;
}

/** Redis keys of a run (the series by position, the results by batch). */
export const runKeys = {
  spec: (runId: string): string => `qts:research:${runId}:spec`,
  series: (runId: string, k: number): string => `qts:research:${runId}:series:${k}`,
  results: (runId: string, batch: number): string => `qts:research:${runId}:results:${batch}`,
};

/** BullMQ job id of a task: unique per run, batch and position (BullMQ refuses ':' in ids). */
export function jobId(job: Pick<ComboJob, 'runId' | 'batch' | 'i'>): string {
  return `${job.runId}-${job.batch}-${job.i}`;
}

/** Where Redis is, as both ioredis and BullMQ take it. */
export interface RedisConnection {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: Record<string, never>;
  readonly maxRetriesPerRequest: null;
}

/**
 * ioredis options from a `redis://[user:password@]host[:port][/db]` URL (`rediss://` for
 * TLS). BullMQ needs `maxRetriesPerRequest: null` so blocking calls wait through reconnects.
 */
export function redisOptionsFromUrl(url: string): RedisConnection {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new QtsError('ERR_QUEUE_URL', `--queue: "${url}" is not a URL (redis://host:port[/db])`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new QtsError('ERR_QUEUE_URL', `--queue: expected redis:// or rediss://, got ${u.protocol}`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isSafeInteger(db) || db < 0)
    throw new QtsError('ERR_QUEUE_URL', `--queue: database "${u.pathname.slice(1)}" is not a number`);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port === '' ? 6379 : Number(u.port),
    db,
    ...(u.username === '' ? {} : { username: decodeURIComponent(u.username) }),
    ...(u.password === '' ? {} : { password: decodeURIComponent(u.password) }),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/** The URL with its password masked, for messages (the password stays in the connection only). */
export function redactedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password === '') return url;
    u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

/** Whether the queue's Redis answers, reported once per change. */
export type RedisState =
  | { readonly up: true }
  | { readonly up: false; readonly code: 'ERR_QUEUE_CONNECT'; readonly message: string };

interface Emitter {
  on(event: 'error', listener: (e: Error) => void): unknown;
}

/**
 * Listens to the 'error' events of the clients of one Redis (ioredis and BullMQ) and reports
 * an outage once, with its cause, and `up` when `upSignal` says Redis answers again. Without a
 * listener each client prints a stack trace per reconnect attempt, several a second for as
 * long as Redis is away, and the one line an operator needs is lost in them. The clients keep
 * reconnecting: a worker or a run waits for Redis rather than failing.
 */
export function watchRedis(
  url: string,
  clients: readonly Emitter[],
  upSignal: { on(event: 'ready', listener: () => void): unknown },
  onState: (s: RedisState) => void,
): void {
  let down = false;
  const onError = (e: Error): void => {
    if (down) return;
    down = true;
    const cause = (e as NodeJS.ErrnoException).code ?? e.message;
    onState({
      up: false,
      code: 'ERR_QUEUE_CONNECT',
      message: `cannot reach Redis at ${redactedUrl(url)} (${cause}: ${e.message}); retrying until it answers`,
    });
  };
  for (const c of clients) c.on('error', onError);
  upSignal.on('ready', () => {
    if (!down) return;
    down = false;
    onState({ up: true });
  });
}

const isIndex = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * The data of a job as this build's coordinators write it, or ERR_QUEUE_BAD_JOB. Anyone who
 * can write to the queue can put anything there; a job of another shape is refused with its
 * reason instead of failing inside BullMQ unreported or writing results under a key no run reads.
 */
export function comboJobOf(data: unknown): ComboJob {
  const d = data as Partial<Record<keyof ComboJob, unknown>> | null;
  const bad = (why: string): QtsError =>
    new QtsError(
      'ERR_QUEUE_BAD_JOB',
      `not a job of a qts run (${why}): ${JSON.stringify(data)?.slice(0, 200)}`,
    );
  if (d === null || typeof d !== 'object' || Array.isArray(d)) throw bad('not an object');
  if (typeof d.runId !== 'string' || !/^[\w.-]{1,200}$/.test(d.runId)) throw bad('runId');
  if (!isIndex(d.batch) || !isIndex(d.i)) throw bad('batch or position');
  const t = d.task as Partial<Record<keyof ComboTask, unknown>> | null | undefined;
  if (t === null || typeof t !== 'object' || t.params === null || typeof t.params !== 'object')
    throw bad('task');
  return { runId: d.runId, batch: d.batch, i: d.i, task: d.task as ComboTask };
}
