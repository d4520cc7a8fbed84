/**
 * What a notification is about. `suppressed` is the hub's own summary of messages a rate
 * limit held back; the others are engine events a user can switch on or off.
 */
export const NotificationKind = {
  Fill: 'fill',
  Risk: 'risk',
  KillSwitch: 'kill-switch',
  Error: 'error',
  DailySummary: 'daily-summary',
  Suppressed: 'suppressed',
} as const;
export type NotificationKind = (typeof NotificationKind)[keyof typeof NotificationKind];

/** `critical` (kill switch, halts) is never held back by a rate limit. */
export const Severity = { Info: 'info', Warning: 'warning', Critical: 'critical' } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

/** One message for people, independent of the channel it goes out on. */
export interface Notification {
  readonly kind: NotificationKind;
  readonly severity: Severity;
  /** One line: the subject of an email, the bold first line of a chat message. */
  readonly title: string;
  readonly text: string;
  /** Engine time of the event (ms). */
  readonly time: number;
  /** Events with the same key within the dedup window are sent once (default: kind + title + text). */
  readonly dedupKey?: string;
  /** Machine-readable fields, sent as they are by the webhook. */
  readonly data?: Readonly<Record<string, string | number | boolean | null>>;
}

/**
 * The port the engine side talks to. `notify` returns at once and never throws: delivery
 * happens later, elsewhere, and a dead notification channel must never slow or stop trading.
 */
export interface Notifier {
  notify(n: Notification): void;
}
