import type { IncomingMessage } from 'node:http';
import { BEARER_SUBPROTOCOL_PREFIX } from './pushProtocol.js';

/** A token from the handshake: `?token=`, `Authorization: Bearer`, or a `bearer.<token>` sub-protocol. */
export function credentialOf(req: IncomingMessage): string | undefined {
  const query = new URL(req.url ?? '/', 'http://push').searchParams.get('token');
  if (query !== null && query !== '') return query;
  const auth = req.headers.authorization;
  if (auth !== undefined && /^bearer /i.test(auth)) return auth.slice(7).trim();
  const protocols = req.headers['sec-websocket-protocol'];
  if (protocols !== undefined) {
    for (const p of protocols.split(',')) {
      const t = p.trim();
      if (t.startsWith(BEARER_SUBPROTOCOL_PREFIX)) return t.slice(BEARER_SUBPROTOCOL_PREFIX.length);
    }
  }
  return undefined;
}
