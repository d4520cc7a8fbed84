import { formatFixed } from '../core/Fixed.js';
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

/**
 * The venue liquidated a position (a fill line of order `LIQUIDATION`). Kind `risk`, with the
 * breakers and halts: a user who turned the noisy fill messages off must still hear it; and
 * critical, because the position and its margin are gone without any order of ours, so a rate
 * limit full of ordinary fills never holds it back. The line's side is the closing one: a SELL
 * closed a long.
 */
export function liquidationNotification(e: OrderFilled): Notification {
  const qty = formatFixed(e.lastQty);
  const px = formatFixed(e.lastPx);
  const position = e.side === 'SELL' ? 'long' : 'short';
  return {
    kind: 'risk',
    severity: 'critical',
    title: `LIQUIDATION: ${position} ${qty} ${e.symbol} closed @ ${px}`,
    text: `${e.strategyId}: the ${position} position of ${qty} ${e.symbol} was LIQUIDATED at ${px} (${e.side} ${e.liquidity.toLowerCase()}), clearance fee ${formatFixed(e.fee)} ${e.feeCurrency}. Not an order of ours: trade ${e.tradeId}.`,
    time: e.ts,
    dedupKey: `liquidation|${e.symbol}|${e.tradeId}`,
    data: {
      liquidation: true,
      strategy: e.strategyId,
      symbol: e.symbol,
      side: e.side,
      position,
      qty,
      price: px,
      fee: formatFixed(e.fee),
      feeCurrency: e.feeCurrency,
      orderId: e.orderId,
      tradeId: e.tradeId,
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
