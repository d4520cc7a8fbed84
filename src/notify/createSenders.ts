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

/**
 * The notifier settings that are secrets, named or not: the bot token, the SMTP password, and
 * the webhook URL (its path is often the credential, as in Slack's hooks) with its secret.
 */
export function notifierSecrets(cfg: NotificationsConfig): string[] {
  return [cfg.telegram?.botToken, cfg.email?.pass, cfg.webhook?.url, cfg.webhook?.secret].filter(
    (s): s is string => s !== undefined && s !== '',
  );
}
