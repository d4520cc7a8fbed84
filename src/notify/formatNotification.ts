import type { Notification } from './Notification.js';

const SEVERITY_TAG = { info: '', warning: '[WARNING] ', critical: '[CRITICAL] ' } as const;

/** Title with its severity tag: the subject line of every channel. */
export function subjectOf(n: Notification): string {
  return `${SEVERITY_TAG[n.severity]}${n.title}`;
}

function dataLines(n: Notification): string[] {
  return Object.entries(n.data ?? {}).map(([k, v]) => `${k}: ${String(v)}`);
}

/** Plain text for email bodies: the text, the fields, the UTC time. */
export function formatPlainText(n: Notification): string {
  return [n.text, '', ...dataLines(n), `time: ${new Date(n.time).toISOString()}`].join('\n');
}

/** Telegram's HTML parse mode understands only these three entities. */
export function escapeTelegramHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Telegram refuses messages longer than 4096 characters. */
export const TELEGRAM_MAX_TEXT = 4096;

/** A Telegram message in HTML parse mode: bold subject, the text, UTC time; cut to Telegram's limit. */
export function formatTelegramHtml(n: Notification): string {
  const time = new Date(n.time).toISOString().replace('T', ' ').slice(0, 19);
  const head = `<b>${escapeTelegramHtml(subjectOf(n))}</b>\n`;
  const tail = `\n<i>${time} UTC</i>`;
  let body = escapeTelegramHtml(n.text);
  const room = TELEGRAM_MAX_TEXT - head.length - tail.length;
  if (body.length > room) {
    body = body.slice(0, room - 1);
    // Never cut an entity in half: Telegram would reject the whole message.
    const amp = body.lastIndexOf('&');
    if (amp > body.length - 6 && !body.slice(amp).includes(';')) body = body.slice(0, amp);
    body += '…';
  }
  return head + body + tail;
}
