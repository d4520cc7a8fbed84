import type { Exchange } from 'ccxt';

/** What ccxt's WebSocket client (ccxt/js/src/base/ws/Client.js) tells of its connection. */
interface WsClientState {
  readonly startedConnecting?: boolean;
  readonly isConnected?: boolean;
}

/**
 * Whether the keyed ccxt instance's WebSockets are up: at least one connected and none still
 * connecting. The instance carries only the private streams (market data has its own), so
 * this tells a watch pending on an open, subscribed socket from one still dialling a host that
 * does not answer (ccxt gives a dial 10 s before it rejects). Clients ccxt never dials (e.g.
 * the one binanceusdm parks its listen-key requests on) do not count. An instance that keeps
 * no client table (a test double) counts as open.
 */
export function privateSocketsOpen(exchange: Exchange): boolean {
  const clients = (exchange as { clients?: Record<string, WsClientState | undefined> }).clients;
  if (clients === undefined) return true;
  let connected = false;
  for (const c of Object.values(clients)) {
    if (c === undefined || c.startedConnecting !== true) continue;
    if (c.isConnected !== true) return false;
    connected = true;
  }
  return connected;
}
