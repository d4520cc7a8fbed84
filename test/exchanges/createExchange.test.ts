import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { Exchange } from 'ccxt';
import { afterAll, describe, expect, it } from 'vitest';
import { createExchange } from '../../src/exchanges/ccxt/createExchange.js';
import { until } from '../app/support/http.js';

async function listening<S extends Server>(server: S): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** binance with its public REST API at `url`; ccxt's request timeout beyond any test. */
function binanceAt(url: string): Exchange {
  const exchange = createExchange({ id: 'binance', pro: true, timeoutMs: 600_000 });
  exchange.urls['api'] = { ...(exchange.urls['api'] as Record<string, string>), public: url };
  return exchange;
}

/** How a call ended, once it has: 'answered' or its error message. */
function outcomeOf(call: Promise<unknown>): { value: string | undefined } {
  const outcome: { value: string | undefined } = { value: undefined };
  call.then(
    () => (outcome.value = 'answered'),
    (e: unknown) => (outcome.value = (e as Error).message),
  );
  return outcome;
}

const CLOSED = /binance: the exchange was closed while this request was in flight/;

/**
 * ccxt's own close() ends the WebSocket streams and leaves REST requests running until ccxt's
 * request timeout, or undici's 10 s connect timeout: an engine stopped with one in flight
 * (a market-data probe given up on its connect timeout) did not exit until then.
 */
describe('createExchange: closing the exchange ends its REST requests', () => {
  // An exchange that takes the connection and never says a word (the TLS handshake hangs).
  const connections: Socket[] = [];
  let closedByClient = 0;
  const silent = createServer((s) => {
    connections.push(s);
    // Read (and drop) what comes, so the client's hang-up is seen.
    s.on('error', () => undefined)
      .on('close', () => closedByClient++)
      .resume();
  });
  const open = (): number => connections.length - closedByClient;
  const answering = createHttpServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"serverTime":1700000000000}'),
  );
  afterAll(async () => {
    for (const s of connections) s.destroy();
    answering.closeAllConnections();
    await Promise.all([silent, answering].map((s) => new Promise((r) => s.close(r))));
  });

  it('a request waiting on its connection: rejected, the connection closed', async () => {
    const exchange = binanceAt(`https://${await listening(silent)}/api/v3`);
    const call = outcomeOf(exchange.fetchTime());
    await until(() => open() === 1, 'the request to connect');
    await exchange.close();
    await until(() => call.value !== undefined, 'the request to end with the close');
    expect(call.value).toMatch(CLOSED);
    await until(() => open() === 0, 'its connection to be closed');
  });

  it('a request made before the close that connects only after it: rejected, no connection left', async () => {
    const exchange = binanceAt(`https://127.0.0.1:${(silent.address() as AddressInfo).port}/api/v3`);
    const before = connections.length;
    // The close comes while ccxt still loads its HTTP client: the request has no socket yet.
    const call = outcomeOf(exchange.fetchTime());
    await exchange.close();
    await until(() => call.value !== undefined, 'the request to end after the close');
    expect(call.value).toMatch(CLOSED);
    await until(() => open() === 0, 'no connection to be left open');
    expect(connections.length - before).toBeLessThanOrEqual(1);
  });

  it('like after ccxt’s own close, the exchange answers REST calls made after it', async () => {
    const exchange = binanceAt(`http://${await listening(answering)}/api/v3`);
    expect(await exchange.fetchTime()).toBe(1700000000000);
    await exchange.close();
    expect(await exchange.fetchTime()).toBe(1700000000000);
    await exchange.close();
  });
});
