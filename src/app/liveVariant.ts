import type { Exchange } from 'ccxt';
import { neg } from '../core/Fixed.js';
import { QtsError } from '../core/QtsError.js';
import { CcxtExecutionClient } from '../exchanges/ccxt/CcxtExecutionClient.js';
import { closeExchange } from '../exchanges/ccxt/closeExchange.js';
import { classifyExchangeError } from '../exchanges/ccxt/classifyExchangeError.js';
import type { TradingKeys } from '../exchanges/ccxt/createTradingExchange.js';
import { createTradingExchange } from '../exchanges/ccxt/createTradingExchange.js';
import { capabilitiesOf } from '../exchanges/ccxt/executionCapabilities.js';
import {
  DEFAULT_PERPETUAL_SETTINGS,
  applyPerpetualSettings,
} from '../exchanges/ccxt/applyPerpetualSettings.js';
import { RequestGate } from '../exchanges/ccxt/RequestGate.js';
import type { OrderRequest } from '../model/OrderRequest.js';
import { FundingReconciler } from './FundingReconciler.js';
import { openLiveFunding } from './openLiveFunding.js';
import { openLiveLiquidations } from './openLiveLiquidations.js';
import { LiveReconciler } from './LiveReconciler.js';
import type { LiveReconcilerOptions } from './LiveReconciler.js';
import { LiveVenue } from './LiveVenue.js';
import type { RuntimeVariant } from './RuntimeVariant.js';

/**
 * Live trading: orders through the keyed ccxt instance, reconciled before strategies start.
 * `factory` replaces the instance in tests (a fake exchange); otherwise it is built from the
 * decrypted keys with the configured sandbox setting.
 */
export function liveVariant(keys: TradingKeys, factory?: () => Promise<Exchange>): RuntimeVariant {
  return {
    mode: 'live',
    // A live engine never trades on replayed or synthetic prices.
    allowMarketFallback: false,
    makeVenue: async (ctx) => {
      const { config, node, market, audit, log, now, saveLedger, db, runId, loadOrder } = ctx;
      const live = config.live;
      const exchange =
        factory === undefined
          ? createTradingExchange({
              id: config.exchange.id,
              keys,
              sandbox: config.exchange.sandbox,
              clientIdPrefix: live.clientIdPrefix,
              timeoutMs: live.requestTimeoutMs,
            }).exchange
          : await factory();
      const capabilities = capabilitiesOf(exchange.id);
      if (capabilities === undefined)
        throw new QtsError('ERR_EXCHANGE_NOT_SUPPORTED', `live trading does not support ${exchange.id}`);
      const gate = new RequestGate({
        now,
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        maxOrders: live.maxOrders,
        windowMs: live.orderWindowMs,
        retryAfter: (e) => classifyExchangeError(e, responseHeaders(exchange), now()).retryAfterMs,
        unanswered: (e) => UNANSWERED.has(classifyExchangeError(e, undefined, now()).kind),
      });
      // The market-data instance is a separate, keyless ccxt object; when it talks to the same
      // host (Binance spot: both on api.binance.com) its REST requests share the gate, since
      // a ban is per IP and one public request during it would lengthen it.
      const md = market.exchange;
      if (md !== undefined && md !== exchange && sharesRestHost(md, exchange)) {
        gate.guard(md, (e) => classifyExchangeError(e, responseHeaders(md), now()).retryAfterMs);
        log.info(
          { exchange: exchange.id, marketData: md.id },
          'market-data REST requests go through the trading request gate (same host)',
        );
      }
      await gate.run(() => exchange.loadMarkets());
      const client = new CcxtExecutionClient({
        exchange,
        capabilities,
        clientIdPrefix: live.clientIdPrefix,
        gate,
        now,
        resolveWithinMs: live.resolveWithinMs,
        onResolved: (_orderId, since) => venue?.noteResolved(since, now()),
        onForcedClose: (symbol, kind) => liquidations?.nudge(symbol, kind),
        onReportFault: (err, what) => ctx.engineFault(err, what),
        onProblem: (what, err, orderId) =>
          log.warn({ what, kind: err.kind, code: err.code, orderId }, `exchange ${what}: ${err.message}`),
      });
      const symbols = market.instruments.map((i) => i.symbol);
      const reconcilerOptions: LiveReconcilerOptions = {
        exchange,
        gate,
        client,
        node,
        symbols,
        clientIdPrefix: live.clientIdPrefix,
        audit,
        log,
        now,
        saveLedger,
        heldLocally: (orderId): boolean => venue?.holds(orderId) ?? false,
        marginModes: new Map(
          market.instruments
            .filter((i) => i.kind === 'PERPETUAL')
            .map((i) => [i.symbol, (live.perpetuals[i.symbol] ?? DEFAULT_PERPETUAL_SETTINGS).marginMode]),
        ),
      };
      // Perpetuals: funding payments are booked as funding before every reconciliation pass.
      const funding = openLiveFunding({
        exchange,
        gate,
        node,
        market,
        audit,
        log,
        now,
        saveLedger,
        db,
        runId,
      });
      // ...and the exchange's liquidations as liquidations (its trades: fill lines, loss streak).
      const liquidations = openLiveLiquidations({
        exchange,
        gate,
        syncOrders: () => client.sync(),
        node,
        market,
        audit,
        log,
        now,
        saveLedger,
        db,
      });
      const reconciler =
        funding === undefined && liquidations === undefined
          ? new LiveReconciler(reconcilerOptions)
          : new FundingReconciler(reconcilerOptions, funding?.poller, liquidations);
      // Perpetuals: the exchange's leverage and margin mode are set, and mirrored in our margin
      // account, before reconciliation and before any strategy may submit.
      const setPerpetuals = async (): Promise<void> => {
        const applied = await applyPerpetualSettings(exchange, gate, market.instruments, live.perpetuals);
        const margin = node.portfolio.margin;
        for (const a of applied) {
          // A position restored from the database keeps its book-keeping mode until it is flat.
          const mode = margin.positionQty(a.symbol) === 0n ? a.mode : margin.settings(a.symbol).mode;
          margin.configure(a.symbol, { leverage: a.leverage, mode });
          audit.record('perpetual.settings', { ...a, exchange: exchange.id }, 'system');
        }
      };
      // Bracket children and OCO members are emulated by the engine (see LiveVenue).
      const emulation = {
        order: (id: string) => node.oms.order(id) ?? loadOrder?.(id),
        isSpot: (symbol: string) => node.instrument(symbol).kind === 'SPOT',
        closable: (symbol: string) => {
          const q = node.portfolio.positionQty(symbol);
          return q < 0n ? neg(q) : q;
        },
        // A leg continued after its entry filled more goes through risk like any order.
        submit: (strategyId: string, request: OrderRequest) => node.submit(strategyId, request),
      };
      const venue: LiveVenue = new LiveVenue(
        client,
        reconciler,
        gate,
        live,
        log,
        async () => {
          await closeExchange(exchange);
        },
        setPerpetuals,
        emulation,
        now,
      );
      return venue;
    },
  };
}

/** Failures that carry no trustworthy answer: time spent on them is time the exchange was unavailable. */
const UNANSWERED: ReadonlySet<string> = new Set(['unknown', 'rate-limited', 'banned']);

function responseHeaders(ex: Exchange): Record<string, unknown> | undefined {
  return (ex as { last_response_headers?: Record<string, unknown> }).last_response_headers;
}

/** Whether two ccxt instances send REST requests to a common host. */
export function sharesRestHost(a: Exchange, b: Exchange): boolean {
  const hosts = (ex: Exchange): Set<string> => {
    const out = new Set<string>();
    const walk = (v: unknown): void => {
      if (typeof v === 'string' && /^https?:\/\//.test(v)) {
        try {
          out.add(new URL(v).host);
        } catch {
          // not a URL after all
        }
      } else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) walk(x);
    };
    walk((ex.urls as { api?: unknown }).api);
    return out;
  };
  const ofB = hosts(b);
  return [...hosts(a)].some((h) => ofB.has(h));
}
