import type { PushClient } from './PushClient.js';
import type { PushErrorCode, RequestId } from './pushProtocol.js';

/**
 * Tells one client why its request was not served (docs/websocket.md, `op: "error"`); `id`
 * echoes the request's so a client with several requests in flight knows which one failed.
 */
export function sendPushError(
  client: PushClient,
  code: PushErrorCode,
  message: string,
  id?: RequestId,
): void {
  client.sendJson({ op: 'error', code, message, id });
}
