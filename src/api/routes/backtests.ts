import { z } from 'zod';
import { QtsError } from '../../core/QtsError.js';
import type { ApiApp, RouteDeps } from '../ApiApp.js';
import { actorOf } from '../ApiApp.js';
import type { BacktestJob, BacktestJobs } from '../backtests/BacktestJobs.js';
import { BacktestRequest } from '../backtests/BacktestRequest.js';
import { ERRORS, idParam, noQuery } from './common.js';

const JobView = z
  .object({
    id: z.string(),
    status: z.enum(['queued', 'running', 'done', 'failed']),
    strategy: z.string(),
    data: z.string(),
    createdAt: z.number(),
    startedAt: z.number().nullable(),
    finishedAt: z.number().nullable(),
    progress: z.object({ done: z.number(), total: z.number() }),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    report: z
      .record(z.string(), z.unknown())
      .nullable()
      .meta({ description: 'the backtest JSON report (as qts backtest --json writes it) once done' }),
  })
  .meta({ id: 'BacktestJob' });

function view(job: BacktestJob): z.infer<typeof JobView> {
  return { ...job, report: job.report as unknown as Record<string, unknown> | null };
}

function jobsOf(deps: RouteDeps): BacktestJobs {
  if (deps.backtests === undefined) throw new QtsError('ERR_NOT_FOUND', 'backtests are not offered here');
  return deps.backtests;
}

/**
 * Backtests on request: POST queues a run in a worker thread (202), GET shows progress and
 * then the report. Bad input is a 400; an unknown strategy, bad parameters or no data 422.
 */
export function backtestRoutes(app: ApiApp, deps: RouteDeps): void {
  app.post(
    '/api/v1/backtests',
    {
      config: { access: 'trader' },
      schema: {
        tags: ['backtests'],
        summary: 'Start a backtest in the background',
        body: BacktestRequest,
        response: { 202: JobView, ...ERRORS },
      },
    },
    (req, reply) => {
      const job = jobsOf(deps).submit(req.body);
      deps.audit.record(
        'api.backtest',
        { id: job.id, strategy: job.strategy, data: job.data },
        actorOf(req.identity),
      );
      reply.code(202);
      return view({ ...job, report: null });
    },
  );
  app.get(
    '/api/v1/backtests',
    {
      schema: {
        tags: ['backtests'],
        summary: 'Backtest jobs, newest first (no reports)',
        querystring: noQuery,
        response: { 200: z.object({ items: z.array(JobView) }), ...ERRORS },
      },
    },
    () => ({ items: jobsOf(deps).list().map(view) }),
  );
  app.get(
    '/api/v1/backtests/:id',
    {
      schema: {
        tags: ['backtests'],
        summary: 'A backtest job: progress, then its report',
        params: idParam,
        response: { 200: JobView, ...ERRORS },
      },
    },
    (req) => {
      const job = jobsOf(deps).get(req.params.id);
      if (job === undefined) throw new QtsError('ERR_BACKTEST_NOT_FOUND', `no backtest ${req.params.id}`);
      return view(job);
    },
  );
}
