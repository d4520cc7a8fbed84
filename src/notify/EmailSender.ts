import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { Notification } from './Notification.js';
import type { NotificationSender } from './NotificationSender.js';
import { rejectedFailure, transientFailure } from './NotificationSender.js';
import { formatPlainText, subjectOf } from './formatNotification.js';

export interface EmailSenderOptions {
  readonly host: string;
  readonly port: number;
  /** TLS from the first byte (465); otherwise STARTTLS when the server offers it. */
  readonly secure: boolean;
  readonly user?: string | undefined;
  readonly pass?: string | undefined;
  readonly from: string;
  readonly to: readonly string[];
  readonly timeoutMs: number;
}

/**
 * Sends plain-text mail over SMTP with nodemailer. SMTP 5xx replies and bad credentials
 * are final; 4xx replies (greylisting, mailbox busy) and connection failures are retried.
 */
export class EmailSender implements NotificationSender {
  readonly name = 'email';
  readonly secrets: readonly string[];
  private readonly transport: Transporter;

  constructor(private readonly opts: EmailSenderOptions) {
    this.secrets = opts.pass === undefined ? [] : [opts.pass];
    this.transport = nodemailer.createTransport({
      host: opts.host,
      port: opts.port,
      secure: opts.secure,
      ...(opts.user === undefined ? {} : { auth: { user: opts.user, pass: opts.pass ?? '' } }),
      connectionTimeout: opts.timeoutMs,
      greetingTimeout: opts.timeoutMs,
      socketTimeout: opts.timeoutMs,
      logger: false,
      debug: false,
    });
  }

  async send(n: Notification, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw transientFailure('email: aborted');
    try {
      await this.transport.sendMail({
        from: this.opts.from,
        to: [...this.opts.to],
        subject: `[qts] ${subjectOf(n)}`,
        text: formatPlainText(n),
      });
    } catch (e) {
      const err = e as { code?: unknown; responseCode?: unknown };
      const code = typeof err.code === 'string' ? err.code : 'error';
      const reply = typeof err.responseCode === 'number' ? err.responseCode : undefined;
      const msg = `email: ${code}${reply === undefined ? '' : ` (SMTP ${reply})`}`;
      // The SMTP reply decides when there is one (4xx: try later, 5xx: never); else bad
      // credentials or addresses are final and connection trouble is worth another try.
      if (reply !== undefined ? reply >= 500 : code === 'EAUTH' || code === 'EENVELOPE')
        throw rejectedFailure(msg);
      throw transientFailure(msg);
    }
  }

  close(): Promise<void> {
    this.transport.close();
    return Promise.resolve();
  }
}
