import ccxt from 'ccxt';
import type { Exchange } from 'ccxt';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Socket } from 'node:net';
import { QtsError } from '../../core/QtsError.js';
import { ExchangeErrorCode } from '../ExchangeErrorCode.js';

/** How to build a ccxt exchange for market data. */
export interface CreateExchangeOptions {
  /** ccxt id: "binance", "kraken", … */
  readonly id: string;
  /**
   * WebSocket (ccxt.pro) class when true. An exchange without one in ccxt.pro falls back to
   * its REST class; the feed then polls (it reads `exchange.has`).
   */
  readonly pro?: boolean;
  /** Point at the exchange's public testnet (`setSandboxMode`). */
  readonly sandbox?: boolean;
  /** Request timeout in ms (ccxt default 10 000). */
  readonly timeoutMs?: number;
  /** Extra ccxt `options` (e.g. `{ defaultType: 'swap' }`). */
  readonly options?: Readonly<Record<string, unknown>>;
}

/**
 * A ccxt exchange instance for public market data: rate limiter on (ccxt queues requests
 * under the exchange's published weights, so a long download or a burst of backfills
 * never earns a ban), and no credentials at all — market data needs none, and an instance
 * that holds no keys cannot place an order by mistake (shadow mode relies on that).
 *
 * Throws ERR_EXCHANGE_UNKNOWN for an id ccxt does not know, ERR_EXCHANGE_NO_SANDBOX when a
 * sandbox is asked of an exchange without one.
 */
export function createExchange(opts: CreateExchangeOptions): Exchange {
  const id = opts.id.toLowerCase();
  const restClasses = ccxt as unknown as Record<string, unknown>;
  const proClasses = ccxt.pro as unknown as Record<string, unknown>;
  if (!ccxt.exchanges.includes(id) || typeof restClasses[id] !== 'function') {
    throw new QtsError(
      ExchangeErrorCode.Unknown,
      `unknown exchange "${opts.id}" (not in ccxt ${ccxt.version})`,
      {
        exchange: opts.id,
      },
    );
  }
  const Klass = (
    opts.pro === true && typeof proClasses[id] === 'function' ? proClasses[id] : restClasses[id]
  ) as new (config: Record<string, unknown>) => Exchange;
  const exchange = new Klass({
    enableRateLimit: true,
    ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs } : {}),
    // ccxt.pro keeps the last `tradesLimit` trades per symbol between two reads of a
    // stream; 1000 (its default) is a few seconds of a busy market during a slow moment.
    options: { tradesLimit: 10_000, ...opts.options },
  });
  if (opts.sandbox === true) {
    try {
      exchange.setSandboxMode(true);
    } catch (e) {
      throw new QtsError(ExchangeErrorCode.NoSandbox, `${id} has no sandbox: ${(e as Error).message}`, {
        exchange: id,
      });
    }
  }
  abortRequestsOnClose(exchange);
  return exchange;
}

/** An undici dispatcher, as far as a close uses it (undici is ccxt's dependency, not ours). */
interface Dispatcher {
  destroy(err: Error): Promise<void>;
}

/** undici's socket factory: opens the TCP (and TLS) connection of one client of the agent. */
type Connector = (options: object, callback: (err: Error | null, socket: Socket | null) => void) => Socket;

/** The undici options ccxt builds its agent from (`getDispatcherOptions`), as far as used here. */
interface DispatcherOptions {
  readonly autoSelectFamily?: boolean;
  readonly connectTimeout?: number;
  readonly connect?: object | Connector;
}

/** The parts of ccxt's Node REST transport (base/Exchange.js, ccxt 4.5) that a close reaches. */
interface CcxtRestTransport {
  /** The keep-alive undici Agent every REST request of the instance goes through. */
  fetchDispatcher?: Dispatcher;
  undiciModule?: {
    Agent: new (options: object) => Dispatcher;
    buildConnector?: (options: object) => Connector;
  };
  getDispatcherOptions: (isPlainAgent: boolean) => DispatcherOptions;
}

/**
 * ccxt's `close()` ends the WebSocket streams only: a REST request in flight runs on until it
 * is answered or times out — ccxt's request timeout, and undici's own 10 s connect timeout
 * for a connection not yet made — and its socket keeps the process alive that long. A
 * `loadMarkets` given up on `exchange.connectTimeoutMs` (8 s) against an exchange that took
 * the connection and never answered held `npm start` ~2 s past "stopped cleanly".
 *
 * So a close also ends the REST traffic of the requests made before it: those in flight
 * reject (nobody waits for their answer once the exchange is closed), every socket open or
 * opening is destroyed, and one such request that reaches its connection only later (it was
 * still loading ccxt's HTTP client, or queued by the rate limiter) gets none. A request made
 * after the close goes through as usual, like after ccxt's own close.
 */
function abortRequestsOnClose(exchange: Exchange): void {
  const rest = exchange as unknown as CcxtRestTransport;
  let closes = 0;
  /** How many closes had happened when the REST call now running was made. */
  const madeAfter = new AsyncLocalStorage<number>();
  const sockets = new Set<Socket>();
  const closed = (): Error =>
    new Error(`${exchange.id}: the exchange was closed while this request was in flight`);

  const fetch = exchange.fetch.bind(exchange);
  exchange.fetch = (...args: Parameters<Exchange['fetch']>) => madeAfter.run(closes, () => fetch(...args));

  // ccxt asks for these when it builds its agent, once undici is loaded: the agent's
  // connections are opened through a factory that knows which request opens them.
  const dispatcherOptions = rest.getDispatcherOptions.bind(exchange);
  rest.getDispatcherOptions = (isPlainAgent) => {
    const options = dispatcherOptions(isPlainAgent);
    const build = rest.undiciModule?.buildConnector;
    if (!isPlainAgent || build === undefined || typeof options.connect === 'function') return options;
    // What undici's Agent would build from these options itself.
    const connector = build({
      ...(options.autoSelectFamily === undefined ? {} : { autoSelectFamily: options.autoSelectFamily }),
      ...(options.connectTimeout === undefined ? {} : { timeout: options.connectTimeout }),
      ...options.connect,
    });
    const connect: Connector = (opts, callback) => {
      const socket = connector(opts, callback);
      // With an error, so undici's connect callback runs (and clears its connect timer).
      if ((madeAfter.getStore() ?? closes) < closes) return socket.destroy(closed());
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      return socket;
    };
    return { ...options, connect };
  };

  const closeStreams = exchange.close.bind(exchange);
  exchange.close = async (...args: Parameters<Exchange['close']>) => {
    closes++;
    try {
      return await closeStreams(...args);
    } finally {
      const agent = rest.fetchDispatcher;
      // No agent: no REST request has got that far (ccxt makes it on the first).
      if (agent !== undefined && rest.undiciModule !== undefined) {
        rest.fetchDispatcher = new rest.undiciModule.Agent(rest.getDispatcherOptions(true));
        await agent.destroy(closed());
      }
      // A connection still being made is not the agent's to end: undici waits for it.
      for (const socket of sockets) socket.destroy(closed());
    }
  };
}
