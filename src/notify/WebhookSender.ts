import { createHmac } from 'node:crypto';
import type { Notification } from './Notification.js';
import type { NotificationSender } from './NotificationSender.js';
import { httpFailure, networkFailure } from './NotificationSender.js';

export interface WebhookSenderOptions {
  readonly url: string;
  /** Signs every request when set. */
  readonly secret?: string | undefined;
}

/** The JSON body of every webhook POST. */
export interface WebhookPayload {
  readonly source: 'quant-trading-system';
  readonly kind: string;
  readonly severity: string;
  readonly title: string;
  readonly text: string;
  /** ISO 8601 UTC. */
  readonly time: string;
  readonly data: Readonly<Record<string, string | number | boolean | null>>;
}

/**
 * The signature a receiver recomputes: hex HMAC-SHA256 over `${timestamp}.${body}` with
 * the shared secret. The timestamp inside the MAC lets a receiver refuse replays.
 */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * POSTs each notification as JSON to a URL (Slack/Discord relays, an incident tool, your
 * own service), with X-QTS-Timestamp and X-QTS-Signature headers when a secret is set.
 * Webhook URLs often embed their own token in the path, so the URL counts as a secret.
 */
export class WebhookSender implements NotificationSender {
  readonly name = 'webhook';
  readonly secrets: readonly string[];

  constructor(
    private readonly opts: WebhookSenderOptions,
    private readonly now: () => number,
  ) {
    this.secrets = [opts.url, ...(opts.secret === undefined ? [] : [opts.secret])];
  }

  async send(n: Notification, signal: AbortSignal): Promise<void> {
    const payload: WebhookPayload = {
      source: 'quant-trading-system',
      kind: n.kind,
      severity: n.severity,
      title: n.title,
      text: n.text,
      time: new Date(n.time).toISOString(),
      data: n.data ?? {},
    };
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'qts-notifier/1',
    };
    if (this.opts.secret !== undefined) {
      const ts = String(this.now());
      headers['x-qts-timestamp'] = ts;
      headers['x-qts-signature'] = webhookSignature(this.opts.secret, ts, body);
    }
    let res: Response;
    try {
      res = await fetch(this.opts.url, { method: 'POST', headers, body, signal });
    } catch (e) {
      throw networkFailure(this.name, e);
    }
    await res.body?.cancel();
    if (res.ok) return;
    const retryAfter = Number(res.headers.get('retry-after'));
    throw httpFailure(
      this.name,
      res.status,
      res.statusText,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
    );
  }
}
