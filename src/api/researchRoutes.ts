import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { runBacktest } from '../backtest/runBacktest.js';
import type { BacktestReport } from '../backtest/BacktestReport.js';
import { toFixed } from '../core/Fixed.js';
import { isQtsError } from '../core/QtsError.js';
import { barAt } from '../model/BarSeries.js';
import { parseSizing } from '../portfolio/Sizer.js';
import { findStrategy } from '../strategies/registry.js';
import type { CandleStore } from '../storage/sqlite/CandleStore.js';

const candlesQuery = z.object({
  exchange: z.string().min(1),
  symbol: z.string().regex(/^[A-Z0-9]+\/[A-Z0-9]+(:[A-Z0-9]+)?$/, 'symbol looks like BTC/USDT'),
  timeframe: z.string().regex(/^\d+[smhdw]$/, 'timeframe looks like 1m'),
  from: z.coerce.number().int().optional(),
  to: z.coerce.number().int().optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1_000),
});

const backtestBody = z.object({
  strategy: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
  exchange: z.string().min(1),
  symbol: z.string().min(1),
  timeframe: z.string().min(1),
  from: z.number().int().optional(),
  to: z.number().int().optional(),
  cash: z.number().positive().default(10_000),
  commission: z.number().min(0).max(0.1).default(0.001),
  fill: z.enum(['close', 'next-open']).default('next-open'),
  sizing: z.string().default('all-in'),
  lot: z.number().positive().default(1),
  seed: z.number().int().default(42),
});

function badRequest(issues: z.core.$ZodIssue[]): { error: string; message: string } {
  return {
    error: 'ERR_BAD_REQUEST',
    message: issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
  };
}

/** How many finished backtests stay in memory for GET. */
const KEEP = 50;

/**
 * api mode's research surface: stored candles and backtests on request, over the same
 * engine as everything else. A bad query or body is a 400 that names the field; a request
 * the engine refuses (unknown strategy, bad params) is a 422 with its code.
 */
export function registerResearchRoutes(app: FastifyInstance, candles: CandleStore): void {
  const results = new Map<string, BacktestReport>();
  let seq = 0;

  app.get('/api/v1/market/series', () => candles.list());

  app.get('/api/v1/market/candles', (req, reply) => {
    const q = candlesQuery.safeParse(req.query);
    if (!q.success) return reply.code(400).send(badRequest(q.error.issues));
    const s = candles.range(q.data.exchange, q.data.symbol, q.data.timeframe, q.data.from, q.data.to);
    const n = Math.min(s.length, q.data.limit);
    return {
      symbol: s.symbol,
      timeframe: s.timeframe,
      candles: Array.from({ length: n }, (_, i) => barAt(s, i)),
    };
  });

  app.post('/api/v1/backtests', (req, reply) => {
    const b = backtestBody.safeParse(req.body);
    if (!b.success) return reply.code(400).send(badRequest(b.error.issues));
    const body = b.data;
    try {
      const series = candles.range(body.exchange, body.symbol, body.timeframe, body.from, body.to);
      if (series.length === 0) {
        return reply.code(422).send({
          error: 'ERR_BACKTEST_NO_DATA',
          message: `no ${body.exchange} ${body.symbol} ${body.timeframe} candles stored in that range (qts data download/import)`,
        });
      }
      const result = runBacktest({
        series: [series],
        strategy: findStrategy(body.strategy),
        params: body.params,
        initialCash: body.cash,
        commission: body.commission,
        fill: { fillAt: body.fill },
        sizing: parseSizing(body.sizing, toFixed(body.lot)),
        seed: body.seed,
        dataFiles: [`db:${body.exchange}/${body.symbol}/${body.timeframe}`],
      });
      seq += 1;
      const id = `bt${seq}`;
      results.set(id, result.report);
      if (results.size > KEEP) results.delete(results.keys().next().value as string);
      return reply.code(201).send({
        id,
        finalEquity: result.report.finalEquity,
        orders: result.report.orders,
        trades: result.report.trades,
        tradeLogSha256: result.report.tradeLogSha256,
      });
    } catch (e) {
      if (!isQtsError(e)) throw e;
      return reply.code(422).send({ error: e.code, message: e.message });
    }
  });

  app.get<{ Params: { id: string } }>('/api/v1/backtests/:id', (req, reply) => {
    const r = results.get(req.params.id);
    if (r === undefined)
      return reply.code(404).send({ error: 'ERR_NOT_FOUND', message: `no backtest ${req.params.id}` });
    return r;
  });
}
