import { z } from 'zod';

/** The kinds of event a notification can be about. */
export const NOTIFICATION_KINDS = ['fill', 'risk', 'kill-switch', 'error', 'daily-summary'] as const;

/** Telegram, email and webhook notifications: each sender is on when its section is present. */
export const NotificationsConfigSchema = z.object({
  events: z.array(z.enum(NOTIFICATION_KINDS)).default([...NOTIFICATION_KINDS]),
  /** UTC hour of the daily summary. */
  dailySummaryHourUtc: z.number().int().min(0).max(23).default(0),
  /** The same event (dedup key) within this window is sent once. */
  dedupWindowMs: z.number().int().nonnegative().default(60_000),
  /** Per sender: a burst, then `perMinute`; the rest is counted and summarised later. */
  rateLimit: z
    .object({
      perMinute: z.number().positive().default(20),
      burst: z.number().int().positive().default(5),
    })
    .prefault({}),
  /** Transient failures (timeouts, 5xx, 429) are retried with exponential backoff. */
  retry: z
    .object({
      attempts: z.number().int().min(1).max(10).default(4),
      baseDelayMs: z.number().int().positive().default(1_000),
      maxDelayMs: z.number().int().positive().default(30_000),
    })
    .prefault({}),
  /** Messages waiting per sender; beyond it the oldest are dropped (and counted). */
  queueSize: z.number().int().positive().default(200),
  timeoutMs: z.number().int().positive().default(10_000),
  telegram: z
    .object({
      botToken: z.string().regex(/^[0-9]+:[A-Za-z0-9_-]+$/, 'telegram.botToken looks like 123456:ABC-def'),
      chatId: z.union([z.string().min(1), z.number().int()]).transform(String),
      apiBase: z.url().default('https://api.telegram.org'),
    })
    .optional(),
  email: z
    .object({
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535).default(587),
      /** true = TLS from the first byte (port 465); false = STARTTLS when the server offers it. */
      secure: z.boolean().default(false),
      user: z.string().optional(),
      pass: z.string().optional(),
      from: z.string().min(3),
      to: z.array(z.string().min(3)).min(1),
    })
    .optional(),
  webhook: z
    .object({
      url: z.url(),
      /** When set, each POST carries X-QTS-Signature: sha256=HMAC(secret, timestamp.body). */
      secret: z.string().min(16, 'webhook.secret needs at least 16 characters').optional(),
    })
    .optional(),
});
export type NotificationsConfig = z.infer<typeof NotificationsConfigSchema>;
