/**
 * The engine entry (`npm start`'s runEntry) with binance's REST API at UNANSWERED_URL, a
 * server that takes the connection and never answers (not even the TLS handshake): market
 * data falls back on the connect timeout while loadMarkets is still in flight. ccxt's request
 * timeout and undici's connect timeout (10 s each by default), which would end that request
 * in the end, are set beyond any test: only the engine's stop can end it.
 */
import ccxt from 'ccxt';
import { runEntry } from '../../../src/app/bootstrap.js';
import { createExchange } from '../../../src/exchanges/ccxt/createExchange.js';

const base = process.env['UNANSWERED_URL'] ?? '';

/** ccxt's undici options of binance (a method of its class): here with no connect timeout. */
const binance = ccxt.pro.binance.prototype as unknown as {
  getDispatcherOptions: (this: unknown, plain: boolean) => object;
};
const dispatcherOptions = binance.getDispatcherOptions;
binance.getDispatcherOptions = function (plain) {
  return { ...dispatcherOptions.call(this, plain), connectTimeout: 600_000 };
};

process.exitCode = await runEntry({
  deps: {
    exchangeFactory: () => {
      const exchange = createExchange({ id: 'binance', pro: true, timeoutMs: 600_000 });
      exchange.urls['api'] = pointAt(exchange.urls['api'], base) as typeof exchange.urls.api;
      return Promise.resolve(exchange);
    },
  },
});

/** Every URL of ccxt's `urls.api` tree, at `url`. */
function pointAt(api: unknown, url: string): unknown {
  if (typeof api === 'string') return url;
  if (api === null || typeof api !== 'object') return api;
  return Object.fromEntries(Object.entries(api).map(([k, v]) => [k, pointAt(v, url)]));
}
