import { formatFixed, neg } from '../core/Fixed.js';
import type { LiquidationBooked } from '../kernel/topics.js';
import type { OrderFilled } from '../model/events.js';
import type { LogLine } from '../monitor/LogTail.js';
import type { TradingState } from '../risk/TradingState.js';
import type { Notification } from './Notification.js';

/** A fill: side, quantity, symbol, price, fee, strategy. One per fill (order id + trade id). */
export function fillNotification(e: OrderFilled): Notification {
  const qty = formatFixed(e.lastQty);
  const px = formatFixed(e.lastPx);
  return {
    kind: 'fill',
    severity: 'info',
    title: `Filled ${e.side} ${qty} ${e.symbol} @ ${px}`,
    text: `${e.strategyId}: ${e.side} ${qty} ${e.symbol} at ${px} (${e.liquidity.toLowerCase()}), fee ${formatFixed(e.fee)} ${e.feeCurrency}. Order ${e.orderId}, trade ${e.tradeId}.`,
    time: e.ts,
    dedupKey: `fill|${e.orderId}|${e.tradeId}`,
    data: {
      strategy: e.strategyId,
      symbol: e.symbol,
      side: e.side,
      qty,
      price: px,
      fee: formatFixed(e.fee),
      feeCurrency: e.feeCurrency,
      orderId: e.orderId,
      tradeId: e.tradeId,
    },
  };
}

/** Trades listed by name in a liquidation's text; the rest are counted (all are in `data.tradeIds`). */
const LISTED_TRADES = 10;

/**
 * The venue liquidated (or auto-deleveraged) a position: one message per liquidation however
 * many trades the venue closed it in (LIQUIDATIONS, not each fill line of order `LIQUIDATION`),
 * with the quantity closed, the volume-weighted average price, the fees summed and the trades.
 * Kind `risk`, with the breakers and halts: a user who turned the noisy fill messages off must
 * still hear it; and critical, because the position (and, liquidated, its margin) is gone
 * without any order of ours, so a rate limit full of ordinary fills never holds it back. The
 * side is the closing one: a SELL closed a long. More trades of a close told before
 * (`continued`) are told as such, not as a new liquidation.
 */
export function liquidationNotification(e: LiquidationBooked): Notification {
  const qty = formatFixed(e.qty);
  const px = formatFixed(e.avgPx);
  const position = e.side === 'SELL' ? 'long' : 'short';
  const held = e.positionQty < 0n ? neg(e.positionQty) : e.positionQty;
  const adl = e.cause === 'adl';
  const label = adl ? 'ADL' : 'LIQUIDATION';
  const n = e.lines.length;
  const whole = held === e.qty || held === 0n;
  const what = whole
    ? `${position} ${qty} ${e.symbol}`
    : `${qty} of ${position} ${formatFixed(held)} ${e.symbol}`;
  const trades = n === 1 ? '1 trade' : `${n} trades`;
  const title = e.continued
    ? `${label} (continued): ${position} ${e.symbol}, ${qty} more closed @ ${px}${n > 1 ? ` avg, ${trades}` : ''}`
    : `${label}: ${what} closed @ ${px}${n > 1 ? ` avg, ${trades}` : ''}`;
  const fee = e.fees.map((f) => `${formatFixed(f.amount)} ${f.currency}`).join(' + ') || '0';
  // Live: the clearance fee the exchange charged apart from the trades, a part of `fee`.
  const clearance = e.clearanceFee;
  const charged =
    clearance === undefined
      ? ''
      : ` (${formatFixed(clearance.amount)} ${clearance.currency} of it charged by the exchange apart from the trades)`;
  const listed = e.lines
    .slice(0, LISTED_TRADES)
    .map((l) => `${formatFixed(l.lastQty)} @ ${formatFixed(l.lastPx)}`)
    .join(', ');
  const more = n > LISTED_TRADES ? `, and ${n - LISTED_TRADES} more` : '';
  const how = adl ? 'AUTO-DELEVERAGED by the exchange' : 'LIQUIDATED';
  const subject = e.continued
    ? `the exchange closed ${qty} more of the ${position} position on ${e.symbol} (the ${label} told before)`
    : whole
      ? `the ${position} position of ${qty} ${e.symbol} was ${how}`
      : `${qty} of the ${position} position of ${formatFixed(held)} ${e.symbol} was ${how}`;
  const tradeIds = e.lines.map((l) => l.tradeId);
  const first = e.lines[0];
  return {
    kind: 'risk',
    severity: 'critical',
    title,
    text:
      `${e.strategyId}: ${subject} ` +
      (n === 1 ? `at ${px}` : `in ${trades} (${listed}${more}) at a volume-weighted average of ${px}`) +
      ` (${e.side} taker), ${adl ? 'fee' : 'clearance fee'} ${fee}${n > 1 ? ' in total' : ''}${charged}, realized PnL ${formatFixed(e.realizedPnl)}.` +
      ` Not an order of ours: ${e.venueOrderId === undefined ? '' : `exchange order ${e.venueOrderId}, `}trade${n === 1 ? '' : 's'} ${tradeIds.slice(0, LISTED_TRADES).join(', ')}${more}.`,
    time: e.ts,
    dedupKey: `liquidation|${e.symbol}|${first?.tradeId ?? e.ts}`,
    data: {
      liquidation: true,
      kind: e.cause,
      continued: e.continued,
      venue: e.venue,
      strategy: e.strategyId,
      symbol: e.symbol,
      side: e.side,
      position,
      positionQty: formatFixed(e.positionQty),
      qty,
      price: px,
      fee: e.fees.length === 1 && e.fees[0] !== undefined ? formatFixed(e.fees[0].amount) : fee,
      feeCurrency: e.fees.map((f) => f.currency).join(','),
      clearanceFee: clearance === undefined ? null : formatFixed(clearance.amount),
      realizedPnl: formatFixed(e.realizedPnl),
      trades: n,
      orderId: first?.orderId ?? 'LIQUIDATION',
      tradeId: first?.tradeId ?? null,
      tradeIds: tradeIds.join(','),
      venueOrderId: e.venueOrderId ?? null,
    },
  };
}

/** The risk engine changed the trading state (a circuit breaker tripped, trading resumed). */
export function riskNotification(
  state: TradingState,
  reason: string,
  code: string,
  time: number,
): Notification {
  return {
    kind: 'risk',
    severity: state === 'HALTED' ? 'critical' : state === 'REDUCING' ? 'warning' : 'info',
    title: `Trading ${state}`,
    text: `${reason}${code ? ` (${code})` : ''}`,
    time,
    dedupKey: `risk|${state}|${code}|${reason}`,
    data: { state, code, reason },
  };
}

/** The kill switch was thrown: every order canceled, trading HALTED until someone resumes it. */
export function killSwitchNotification(reason: string, time: number): Notification {
  return {
    kind: 'kill-switch',
    severity: 'critical',
    title: 'KILL SWITCH: trading HALTED',
    text: `${reason}. Open orders were canceled; trading stays halted (also across restarts) until \`qts resume\`.`,
    time,
    dedupKey: `kill-switch|${time}`,
    data: { state: 'HALTED', reason },
  };
}

/** An error-level line of the engine log. */
export function errorNotification(line: LogLine): Notification {
  const code = typeof line.data['code'] === 'string' ? line.data['code'] : undefined;
  const err = line.data['err'];
  const detail =
    typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string'
      ? (err as { message: string }).message
      : undefined;
  return {
    kind: 'error',
    severity: line.level === 'fatal' ? 'critical' : 'warning',
    title: `Engine ${line.level}: ${line.msg.slice(0, 120)}`,
    text: [line.msg, detail, code].filter((s) => s !== undefined && s !== '').join('\n'),
    time: line.time,
    // One message per distinct error per dedup window, however often it repeats.
    dedupKey: `error|${code ?? ''}|${line.msg}`,
    data: { level: line.level, ...(code === undefined ? {} : { code }) },
  };
}

/** What the daily summary reports. */
export interface DailySummaryInput {
  readonly time: number;
  readonly mode: string;
  readonly currency: string;
  readonly equity: number;
  /** Equity at the previous summary (or at start), for the period's PnL. */
  readonly previousEquity: number;
  /** Since when the period runs (previous summary or start). */
  readonly since: number;
  readonly fills: number;
  readonly openOrders: number;
  readonly positions: readonly string[];
  readonly tradingState: string;
}

const money = (x: number) => x.toFixed(2);

export function dailySummaryNotification(s: DailySummaryInput): Notification {
  const pnl = s.equity - s.previousEquity;
  const pct = s.previousEquity !== 0 ? (pnl / s.previousEquity) * 100 : 0;
  const day = new Date(s.time).toISOString().slice(0, 10);
  return {
    kind: 'daily-summary',
    severity: 'info',
    title: `Daily summary ${day} (${s.mode}): equity ${money(s.equity)} ${s.currency}, PnL ${pnl >= 0 ? '+' : ''}${money(pnl)}`,
    text: [
      `Equity: ${money(s.equity)} ${s.currency}`,
      `PnL since ${new Date(s.since).toISOString().replace('T', ' ').slice(0, 16)} UTC: ${pnl >= 0 ? '+' : ''}${money(pnl)} ${s.currency} (${pct >= 0 ? '+' : ''}${pct.toFixed(2)} %)`,
      `Fills: ${s.fills}`,
      `Open orders: ${s.openOrders}`,
      `Positions: ${s.positions.length > 0 ? s.positions.join(', ') : 'none'}`,
      `Trading state: ${s.tradingState}`,
    ].join('\n'),
    time: s.time,
    dedupKey: `daily-summary|${day}`,
    data: {
      equity: s.equity,
      pnl,
      pnlPct: pct,
      fills: s.fills,
      openOrders: s.openOrders,
      currency: s.currency,
      tradingState: s.tradingState,
    },
  };
}
