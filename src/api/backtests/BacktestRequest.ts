import { z } from 'zod';
import { ONE } from '../../core/Fixed.js';
import { parseSizing } from '../../portfolio/Sizer.js';
import type { BacktestSettings } from '../../research/BacktestSettings.js';

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
      .regex(/^[1-9]\d{0,5}[smhdw]$/, 'timeframe looks like 1m')
      .optional(),
    file: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[\w./-]+$/, 'letters, digits, _ . / - only')
      .optional()
      .meta({ description: 'candle file relative to api.backtestDataDir' }),
    // Epoch ms, as the query bounds of the other routes.
    from: z.number().int().min(0).max(8.64e15).optional(),
    to: z.number().int().min(0).max(8.64e15).optional(),
    cash: z.number().positive().max(1e15).default(10_000),
    commission: z
      .number()
      .min(0)
      .max(0.1)
      .default(0.001)
      .meta({ description: 'fee rate per fill, maker and taker (0.001 = 0.1 %), as --commission' }),
    makerFee: z.number().min(0).max(0.1).optional().meta({
      description: 'fee rate of maker fills (resting limit orders); overrides commission, as --maker-fee',
    }),
    takerFee: z.number().min(0).max(0.1).optional().meta({
      description:
        'fee rate of taker fills (market orders, triggered stops); overrides commission, as --taker-fee',
    }),
    slippageBps: z.number().min(0).lt(10_000).optional().meta({
      description:
        'slippage against us on taker fills in basis points, as --slippage-bps (not with spreadBps)',
    }),
    spreadBps: z.number().min(0).lt(10_000).optional().meta({
      description:
        'quoted spread in basis points, half of which taker fills cross, as --spread-bps (not with slippageBps)',
    }),
    volumeShare: z.number().gt(0).max(1).optional().meta({
      description: 'most of a bar volume one order may fill per bar (partial fills), as --volume-share',
    }),
    latencyMs: z
      .number()
      .min(0)
      .max(86_400_000)
      .default(0)
      .meta({ description: 'order latency to the venue in milliseconds, as --latency' }),
    fill: z
      .enum(['close', 'next-open'])
      .default('next-open')
      .meta({ description: 'market orders fill at the signal bar close or the next open, as --fill' }),
    intrabar: z
      .enum(['pessimistic', 'ohlc', 'adaptive'])
      .default('pessimistic')
      .meta({ description: 'order of touches inside a bar, as --intrabar' }),
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
  // An inverted range holds no candles: refused here, not as a job that fails after its 202.
  .refine((b) => b.from === undefined || b.to === undefined || b.from <= b.to, {
    message: 'from is after to',
    path: ['from'],
  })
  // Both price the same taker fill: one model per run, as `qts backtest` refuses the two flags.
  .refine((b) => b.slippageBps === undefined || b.spreadBps === undefined, {
    message: 'slippageBps and spreadBps are two slippage models: give one of them, not both',
    path: ['spreadBps'],
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

/** What the worker thread is given: the settings as every research run carries them to its workers. */
export interface BacktestTask {
  readonly source: BacktestSource;
  readonly strategy: string;
  readonly params: Record<string, unknown>;
  readonly settings: BacktestSettings;
}

/** The backtest settings a request asks for (what it leaves out, the defaults of `qts backtest`). */
export function settingsOf(req: BacktestRequest): BacktestSettings {
  return {
    initialCash: req.cash,
    commission: req.commission,
    makerFee: req.makerFee ?? null,
    takerFee: req.takerFee ?? null,
    fill: req.fill,
    intrabar: req.intrabar,
    slippageBps: req.slippageBps ?? null,
    spreadBps: req.spreadBps ?? null,
    volumeShare: req.volumeShare ?? null,
    latencyMs: req.latencyMs,
    sizing: req.sizing,
    lot: req.lot,
    seed: req.seed,
  };
}

/** Messages from the worker. */
export type BacktestWorkerMessage =
  | { readonly type: 'progress'; readonly done: number; readonly total: number }
  | { readonly type: 'done'; readonly report: unknown }
  | { readonly type: 'error'; readonly code: string; readonly message: string };
