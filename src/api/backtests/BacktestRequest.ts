import { z } from 'zod';
import { ONE } from '../../core/Fixed.js';
import { parseSizing } from '../../portfolio/Sizer.js';

const symbolPattern = /^[A-Z0-9]+\/[A-Z0-9]+(:[A-Z0-9]+)?$/;

/**
 * A backtest asked for over the API: a built-in strategy and its parameters, on stored
 * candles (exchange, symbol, timeframe, range) or on a candle file named relative to the
 * configured data folder — never on an arbitrary path.
 */
export const BacktestRequest = z
  .strictObject({
    strategy: z.string().min(1).max(64),
    params: z.record(z.string(), z.unknown()).default({}),
    exchange: z.string().min(1).max(40).optional(),
    symbol: z.string().regex(symbolPattern, 'symbol looks like BTC/USDT').optional(),
    timeframe: z
      .string()
      .regex(/^\d+[smhdw]$/, 'timeframe looks like 1m')
      .optional(),
    file: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[\w./-]+$/, 'letters, digits, _ . / - only')
      .optional()
      .meta({ description: 'candle file relative to api.backtestDataDir' }),
    from: z.number().int().optional(),
    to: z.number().int().optional(),
    cash: z.number().positive().max(1e15).default(10_000),
    commission: z.number().min(0).max(0.1).default(0.001),
    fill: z.enum(['close', 'next-open']).default('next-open'),
    sizing: z
      .string()
      .max(64)
      .refine(isSizing, 'sizing is all-in, fixed:QTY (QTY > 0) or percent:P (0 < P <= 100)')
      .default('all-in'),
    // The quantity step is exact to 1e-16: anything smaller is a zero step.
    lot: z.number().min(1e-16).max(1e15).default(1),
    seed: z.number().int().default(42),
  })
  .refine((b) => b.file !== undefined || (b.symbol !== undefined && b.timeframe !== undefined), {
    message: 'give either file, or symbol and timeframe (stored candles)',
    path: ['symbol'],
  })
  .meta({ id: 'BacktestRequest' });
export type BacktestRequest = z.infer<typeof BacktestRequest>;

/** Checked here, by the worker's own parser, so a bad sizing is a 400 and not a failed job. */
function isSizing(text: string): boolean {
  try {
    parseSizing(text, ONE);
    return true;
  } catch {
    return false;
  }
}

/** Where the worker reads its candles. */
export type BacktestSource =
  | {
      readonly kind: 'db';
      readonly dbPath: string;
      readonly exchange: string;
      readonly symbol: string;
      readonly timeframe: string;
      readonly from?: number | undefined;
      readonly to?: number | undefined;
    }
  | {
      readonly kind: 'file';
      readonly path: string;
      readonly from?: number | undefined;
      readonly to?: number | undefined;
    };

/** What the worker thread is given. */
export interface BacktestTask {
  readonly source: BacktestSource;
  readonly strategy: string;
  readonly params: Record<string, unknown>;
  readonly cash: number;
  readonly commission: number;
  readonly fill: 'close' | 'next-open';
  readonly sizing: string;
  readonly lot: number;
  readonly seed: number;
}

/** Messages from the worker. */
export type BacktestWorkerMessage =
  | { readonly type: 'progress'; readonly done: number; readonly total: number }
  | { readonly type: 'done'; readonly report: unknown }
  | { readonly type: 'error'; readonly code: string; readonly message: string };
