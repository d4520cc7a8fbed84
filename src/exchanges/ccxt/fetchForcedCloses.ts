import type { Exchange } from 'ccxt';
import type { Fixed } from '../../core/Fixed.js';
import type { Millis } from '../../core/time.js';
import type { OrderSide } from '../../model/enums.js';
import type { LiquidationTrade } from '../../model/futuresEvents.js';
import { exact } from './executionMappers.js';
import type { RequestGate } from './RequestGate.js';
import { compareIds, textOf } from './rawFields.js';

/** Why the exchange closed a position itself. */
export type ForcedCloseKind = 'liquidation' | 'adl';

/** One trade of a forced close, exact as the exchange wrote it. */
export interface ForcedCloseTrade extends LiquidationTrade {
  /** The exchange's realized PnL of the trade (Binance `realizedPnl`). */
  readonly realizedPnl: Fixed;
}

/** A position (or part of one) the exchange closed by an order of its own, with its trades. */
export interface ForcedClose {
  readonly kind: ForcedCloseKind;
  readonly symbol: string;
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly side: OrderSide;
  /** Last update of the order (ccxt's liquidation timestamp). */
  readonly ts: Millis;
  /** Whether the exchange is done with the order (its trades are all listed). */
  readonly final: boolean;
  readonly trades: readonly ForcedCloseTrade[];
}

/**
 * Whether a client order id is one the exchange gives its own closing orders. Binance USDⓈ-M:
 * "autoclose-…" is a liquidation, "adl_autoclose" an auto-deleveraging (ORDER_TRADE_UPDATE and
 * GET /fapi/v1/forceOrders) —
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/user-data-streams/Event-Order-Update
 * Other exchanges: undefined (no forced close is recognised by id).
 */
export function forcedCloseKind(clientOrderId: string | undefined): ForcedCloseKind | undefined {
  if (clientOrderId === undefined) return undefined;
  if (clientOrderId.startsWith('autoclose-')) return 'liquidation';
  if (clientOrderId === 'adl_autoclose') return 'adl';
  return undefined;
}

/** Whether the exchange lists the account's forced closes (Binance: GET /fapi/v1/forceOrders). */
export function listsForcedCloses(exchange: Exchange): boolean {
  return exchange.id === 'binanceusdm' && exchange.has['fetchMyLiquidations'] === true;
}

/** Force orders per page (Binance's maximum). */
const PAGE = 100;

/**
 * The forced closes of `symbol` updated at or after `since`, oldest first, with their trades,
 * through the gate: liquidations and auto-deleveragings (ccxt fetchMyLiquidations, Binance
 * GET /fapi/v1/forceOrders with autoCloseType LIQUIDATION, then ADL), each order's trades from
 * the account's trade list (fetchMyTrades with its orderId: GET /fapi/v1/userTrades). Amounts
 * come from the exchange's own text: the wallet is matched to the unit.
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/Users-Force-Orders
 */
export async function fetchForcedCloses(
  exchange: Exchange,
  gate: RequestGate,
  symbol: string,
  since: Millis,
): Promise<ForcedClose[]> {
  const out: ForcedClose[] = [];
  for (const autoCloseType of ['LIQUIDATION', 'ADL'] as const) {
    const rows = await gate.run(() => exchange.fetchMyLiquidations(symbol, since, PAGE, { autoCloseType }));
    for (const r of rows) {
      const info = (r.info ?? {}) as Record<string, unknown>;
      const orderId = textOf(info['orderId']);
      const clientOrderId = textOf(info['clientOrderId']) ?? '';
      const kind = forcedCloseKind(clientOrderId) ?? (autoCloseType === 'ADL' ? 'adl' : 'liquidation');
      const ts = r.timestamp ?? Number(info['updateTime'] ?? info['time']);
      if (orderId === undefined || !Number.isFinite(ts)) continue;
      const status = textOf(info['status']) ?? '';
      const trades = await gate.run(() => exchange.fetchMyTrades(symbol, undefined, undefined, { orderId }));
      out.push({
        kind,
        symbol,
        orderId,
        clientOrderId,
        side: textOf(info['side'])?.toUpperCase() === 'BUY' ? 'BUY' : 'SELL',
        ts,
        final: status === 'FILLED' || status === 'CANCELED' || status === 'EXPIRED',
        trades: trades
          .filter((t) => String(t.order) === orderId)
          .map((t) => {
            const ti = (t.info ?? {}) as Record<string, unknown>;
            return {
              id: String(t.id),
              ts: t.timestamp ?? ts,
              qty: exact(textOf(ti['qty']) ?? t.amount),
              price: exact(textOf(ti['price']) ?? t.price),
              fee: exact(textOf(ti['commission']) ?? t.fee?.cost),
              feeCurrency: t.fee?.currency ?? textOf(ti['commissionAsset']) ?? '',
              realizedPnl: exact(textOf(ti['realizedPnl'])),
            };
          })
          .sort((a, b) => a.ts - b.ts || compareIds(a.id, b.id)),
      });
    }
  }
  return out.sort((a, b) => a.ts - b.ts || compareIds(a.orderId, b.orderId));
}
