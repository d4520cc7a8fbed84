import type { Exchange } from 'ccxt';
import { QtsError } from '../core/QtsError.js';
import { CcxtExecutionClient } from '../exchanges/ccxt/CcxtExecutionClient.js';
import { classifyExchangeError } from '../exchanges/ccxt/classifyExchangeError.js';
import type { TradingKeys } from '../exchanges/ccxt/createTradingExchange.js';
import { createTradingExchange } from '../exchanges/ccxt/createTradingExchange.js';
import { capabilitiesOf } from '../exchanges/ccxt/executionCapabilities.js';
import { RequestGate } from '../exchanges/ccxt/RequestGate.js';
import { LiveReconciler } from './LiveReconciler.js';
import { LiveVenue } from './LiveVenue.js';
import type { RuntimeVariant } from './TradingRuntime.js';

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
    makeVenue: async ({ config, node, market, audit, log, now, saveLedger }) => {
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
        retryAfter: (e) =>
          classifyExchangeError(
            e,
            (exchange as { last_response_headers?: Record<string, unknown> }).last_response_headers,
            now(),
          ).retryAfterMs,
      });
      await gate.run(() => exchange.loadMarkets());
      const client = new CcxtExecutionClient({
        exchange,
        capabilities,
        clientIdPrefix: live.clientIdPrefix,
        gate,
        now,
        resolveWithinMs: live.resolveWithinMs,
        onProblem: (what, err, orderId) =>
          log.warn({ what, kind: err.kind, code: err.code, orderId }, `exchange ${what}: ${err.message}`),
      });
      const symbols = market.instruments.map((i) => i.symbol);
      const reconciler = new LiveReconciler({
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
      });
      return new LiveVenue(client, reconciler, gate, live, log, () => exchange.close());
    },
  };
}
