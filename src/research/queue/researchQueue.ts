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
