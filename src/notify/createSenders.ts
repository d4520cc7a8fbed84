import type { NotificationsConfig } from '../config/configSchema.js';
import { EmailSender } from './EmailSender.js';
import type { NotificationSender } from './NotificationSender.js';
import { TelegramSender } from './TelegramSender.js';
import { WebhookSender } from './WebhookSender.js';

/** The senders whose configuration section is present (none by default). */
export function createSenders(cfg: NotificationsConfig, now: () => number): NotificationSender[] {
  const senders: NotificationSender[] = [];
  if (cfg.telegram) senders.push(new TelegramSender(cfg.telegram));
  if (cfg.email) senders.push(new EmailSender({ ...cfg.email, timeoutMs: cfg.timeoutMs }));
  if (cfg.webhook) senders.push(new WebhookSender(cfg.webhook, now));
  return senders;
}
