import { z } from 'zod';

/*
 * The JSON shapes of the REST API, one zod schema each: routes validate their responses
 * against them and the OpenAPI document is generated from them, so what /docs says is what
 * the dashboard gets. Exact money and quantities are decimal strings (Fixed, formatted);
 * chart series are numbers.
 */

/** An exact amount: a plain decimal string, never a float. */
export const Decimal = z.string().meta({ description: 'exact decimal', example: '0.1' });
const Millis = z.number().meta({ description: 'epoch milliseconds' });

export const ErrorView = z
  .object({
    error: z.string().meta({ description: 'stable error code, e.g. ERR_RISK_HALTED' }),
    message: z.string(),
  })
  .meta({ id: 'Error' });

export const OrderView = z
  .object({
    id: z.string(),
    strategyId: z.string(),
    symbol: z.string(),
    side: z.enum(['BUY', 'SELL']),
    type: z.string(),
    status: z.string(),
    quantity: Decimal,
    price: Decimal.nullable(),
    triggerPrice: Decimal.nullable(),
    timeInForce: z.string(),
    reduceOnly: z.boolean(),
    postOnly: z.boolean(),
    tag: z.string().nullable(),
    filledQty: Decimal,
    avgPx: Decimal.nullable(),
    feesPaid: Decimal,
    reasonCode: z.string().nullable(),
    reason: z.string().nullable(),
    cancelRequestedAt: Millis.nullable().meta({
      description:
        'when a cancel was first asked of the venue; on an open order, a cancel the venue has not confirmed yet',
    }),
    createdAt: Millis,
    updatedAt: Millis,
  })
  .meta({ id: 'Order' });
export type OrderView = z.infer<typeof OrderView>;

export const FillView = z
  .object({
    orderId: z.string(),
    tradeId: z.string(),
    strategyId: z.string(),
    symbol: z.string(),
    side: z.enum(['BUY', 'SELL']),
    qty: Decimal,
    px: Decimal,
    fee: Decimal,
    feeCurrency: z.string(),
    liquidity: z.string(),
    ts: Millis,
  })
  .meta({ id: 'Fill' });
export type FillView = z.infer<typeof FillView>;

export const PositionView = z
  .object({
    symbol: z.string(),
    qty: Decimal,
    /** Signed entry notional still open. */
    costBasis: Decimal,
    avgPrice: Decimal.nullable(),
    lastPrice: z.number().nullable(),
    /** The price the position is valued at: the last price for spot, the venue's mark for perpetuals. */
    markPrice: z.number().nullable(),
    /** At markPrice. */
    unrealizedPnl: Decimal.nullable(),
    realizedPnl: Decimal,
  })
  .meta({ id: 'Position' });
export type PositionView = z.infer<typeof PositionView>;

export const BalanceView = z.object({ currency: z.string(), amount: Decimal }).meta({ id: 'Balance' });
export type BalanceView = z.infer<typeof BalanceView>;

/** Whether a strategy instance runs, and why it failed: in GET /strategies and GET /status alike. */
export const StrategyStatusFields = {
  /** failed: quarantined because a handler threw (see `failure`); started again by a start or an engine restart. */
  status: z.enum(['running', 'stopped', 'failed']),
  /** Why the instance was quarantined; null unless failed. */
  failure: z
    .object({
      code: z.string(),
      message: z.string(),
      hook: z.string(),
      symbol: z.string().nullable(),
      /** Engine time (epoch ms) of the bar or event it was handling. */
      at: z.number(),
    })
    .nullable(),
};

export const StrategyView = z
  .object({
    id: z.string(),
    strategy: z.string(),
    description: z.string(),
    symbols: z.array(z.string()),
    timeframe: z.string(),
    running: z.boolean(),
    ...StrategyStatusFields,
    params: z.record(z.string(), z.unknown()),
    /** JSON schema of the parameters, for a form. */
    paramsSchema: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'Strategy' });
export type StrategyView = z.infer<typeof StrategyView>;

export const PnlDayView = z.object({
  day: z.string().meta({ description: 'UTC day, YYYY-MM-DD' }),
  strategyId: z.string(),
  realized: Decimal,
  fees: Decimal,
  net: Decimal,
  netValue: z.number(),
});
export const PnlView = z
  .object({
    currency: z.string(),
    realized: Decimal,
    unrealized: Decimal,
    fees: Decimal,
    byStrategy: z.array(
      z.object({ strategyId: z.string(), realized: Decimal, fees: Decimal, net: Decimal, fills: z.number() }),
    ),
    byDay: z.array(PnlDayView),
  })
  .meta({ id: 'Pnl' });
export type PnlView = z.infer<typeof PnlView>;

export const EquityCurveView = z
  .object({
    currency: z.string(),
    points: z.array(z.object({ ts: Millis, equity: z.number() })),
  })
  .meta({ id: 'EquityCurve' });
export type EquityCurveView = z.infer<typeof EquityCurveView>;

export const RiskView = z
  .object({
    state: z.string(),
    reason: z.string(),
    since: Millis.nullable(),
    killSwitch: z.boolean(),
    limits: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'Risk' });
export type RiskView = z.infer<typeof RiskView>;

export const CandleView = z.object({
  ts: Millis,
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
});
export const CandlesView = z
  .object({ symbol: z.string(), timeframe: z.string(), candles: z.array(CandleView) })
  .meta({ id: 'Candles' });
export type CandlesView = z.infer<typeof CandlesView>;

export const SymbolView = z
  .object({
    symbol: z.string(),
    exchange: z.string().nullable(),
    timeframes: z.array(z.string()),
    first: Millis.nullable(),
    last: Millis.nullable(),
  })
  .meta({ id: 'MarketSymbol' });
export type SymbolView = z.infer<typeof SymbolView>;

export const TickerView = z
  .object({
    symbol: z.string(),
    last: z.number().nullable(),
    at: Millis.nullable(),
    stale: z.boolean(),
  })
  .meta({ id: 'Ticker' });
export type TickerView = z.infer<typeof TickerView>;

export const RunView = z
  .object({
    id: z.string(),
    mode: z.string(),
    status: z.string(),
    startedAt: Millis,
    stoppedAt: Millis.nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'Run' });
export type RunView = z.infer<typeof RunView>;

/** The answer to a command: what the engine did, and the order it made or touched. */
export const CommandResultView = z
  .object({
    ok: z.boolean(),
    message: z.string(),
    order: OrderView.optional(),
  })
  .meta({ id: 'CommandResult' });
export type CommandResultView = z.infer<typeof CommandResultView>;

/** A page of a list. */
export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item) });
}
