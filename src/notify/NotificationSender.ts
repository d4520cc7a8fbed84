import { QtsError } from '../core/QtsError.js';
import type { Notification } from './Notification.js';

/** One delivery channel (Telegram, email, webhook). */
export interface NotificationSender {
  /** Shown in health and logs: `telegram`, `email`, `webhook`. */
  readonly name: string;
  /** Secret values this sender holds (token, password, signing secret), scrubbed from every log line. */
  readonly secrets: readonly string[];
  /**
   * Delivers one message. Throws ERR_NOTIFY_TRANSIENT for failures worth retrying
   * (network, timeout, 5xx, 429) and ERR_NOTIFY_REJECTED for those that are not (bad
   * token, unknown chat, 4xx). The message must never include a secret (no URLs).
   */
  send(n: Notification, signal: AbortSignal): Promise<void>;
  close?(): Promise<void>;
}

export const NotifyErrorCode = {
  Transient: 'ERR_NOTIFY_TRANSIENT',
  Rejected: 'ERR_NOTIFY_REJECTED',
} as const;

/** A failure the hub retries; `retryAfterMs` when the server said how long to wait. */
export function transientFailure(message: string, retryAfterMs?: number): QtsError {
  return new QtsError(
    NotifyErrorCode.Transient,
    message,
    retryAfterMs === undefined ? undefined : { retryAfterMs },
  );
}

export function rejectedFailure(message: string): QtsError {
  return new QtsError(NotifyErrorCode.Rejected, message);
}

/** HTTP status → failure: 408, 429 and 5xx are worth another try, any other non-2xx is not. */
export function httpFailure(sender: string, status: number, detail: string, retryAfterMs?: number): QtsError {
  const msg = `${sender}: HTTP ${status}${detail ? ` ${detail}` : ''}`;
  return status === 408 || status === 429 || status >= 500
    ? transientFailure(msg, retryAfterMs)
    : rejectedFailure(msg);
}

/**
 * A network error from fetch, described without its URL (Telegram's carries the bot
 * token): the cause's code (ECONNREFUSED, ETIMEDOUT, …) or the abort.
 */
export function networkFailure(sender: string, e: unknown): QtsError {
  if (e instanceof QtsError) return e;
  const err = e as { name?: unknown; cause?: { code?: unknown } };
  const code = typeof err.cause?.code === 'string' ? err.cause.code : undefined;
  const what =
    err.name === 'TimeoutError'
      ? 'timed out'
      : err.name === 'AbortError'
        ? 'aborted'
        : (code ?? 'network error');
  return transientFailure(`${sender}: ${what}`);
}
