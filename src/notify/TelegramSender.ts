import type { Notification } from './Notification.js';
import type { NotificationSender } from './NotificationSender.js';
import { httpFailure, networkFailure } from './NotificationSender.js';
import { formatTelegramHtml } from './formatNotification.js';

export interface TelegramSenderOptions {
  readonly botToken: string;
  readonly chatId: string;
  /** https://api.telegram.org, or a local fake in tests. */
  readonly apiBase: string;
}

/**
 * Sends through the Telegram Bot API's sendMessage (https://core.telegram.org/bots/api#sendmessage).
 * The bot token is part of the URL path, so the URL is never put in an error or a log line.
 */
export class TelegramSender implements NotificationSender {
  readonly name = 'telegram';
  readonly secrets: readonly string[];
  private readonly url: string;

  constructor(private readonly opts: TelegramSenderOptions) {
    this.secrets = [opts.botToken];
    this.url = `${opts.apiBase.replace(/\/+$/, '')}/bot${opts.botToken}/sendMessage`;
  }

  async send(n: Notification, signal: AbortSignal): Promise<void> {
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          chat_id: this.opts.chatId,
          text: formatTelegramHtml(n),
          parse_mode: 'HTML',
          disable_web_page_preview: true,
        }),
        signal,
      });
    } catch (e) {
      throw networkFailure(this.name, e);
    }
    if (res.ok) {
      await res.body?.cancel();
      return;
    }
    // Telegram answers {ok:false, description, parameters:{retry_after}} on errors (429: flood control).
    let description = '';
    let retryAfterMs: number | undefined;
    try {
      const body = (await res.json()) as { description?: unknown; parameters?: { retry_after?: unknown } };
      if (typeof body.description === 'string') description = body.description.slice(0, 200);
      if (typeof body.parameters?.retry_after === 'number') retryAfterMs = body.parameters.retry_after * 1000;
    } catch {
      // Not JSON (a proxy's error page): the status says enough.
    }
    throw httpFailure(this.name, res.status, description, retryAfterMs);
  }
}
