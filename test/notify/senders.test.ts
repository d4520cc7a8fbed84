import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isQtsError } from '../../src/core/QtsError.js';
import { EmailSender } from '../../src/notify/EmailSender.js';
import type { Notification } from '../../src/notify/Notification.js';
import { TelegramSender } from '../../src/notify/TelegramSender.js';
import { WebhookSender, webhookSignature } from '../../src/notify/WebhookSender.js';
import { FakeSmtp } from '../support/fakeSmtp.js';
import { FakeTelegram } from '../support/fakeTelegram.js';
import { FakeWebhook } from '../support/fakeWebhook.js';

const N: Notification = {
  kind: 'fill',
  severity: 'info',
  title: 'Filled BUY 0.5 BTC/USDT @ 30000 <market> & more',
  text: 'sma: BUY 0.5 BTC/USDT at 30000 (taker), fee 15 USDT.',
  time: Date.UTC(2024, 0, 2, 3, 4, 5),
  data: { symbol: 'BTC/USDT', qty: '0.5' },
};
const signal = () => AbortSignal.timeout(5_000);

/** A loopback port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

async function failure(
  p: Promise<unknown>,
): Promise<{ code: string; message: string; retryAfterMs: unknown }> {
  try {
    await p;
  } catch (e) {
    if (isQtsError(e)) return { code: e.code, message: e.message, retryAfterMs: e.details?.['retryAfterMs'] };
    throw e;
  }
  throw new Error('expected a failure');
}

describe('TelegramSender against a fake Bot API', () => {
  let tg: FakeTelegram;
  beforeAll(async () => {
    tg = await FakeTelegram.start();
  });
  afterAll(() => tg.close());
  const sender = (token = tg.token) =>
    new TelegramSender({ botToken: token, chatId: '-100123', apiBase: tg.apiBase });

  it('posts sendMessage with the chat id and escaped HTML', async () => {
    await sender().send(N, signal());
    const m = tg.messages.at(-1);
    expect(m).toMatchObject({ token: tg.token, chatId: '-100123', parseMode: 'HTML' });
    expect(m?.text).toBe(
      '<b>Filled BUY 0.5 BTC/USDT @ 30000 &lt;market&gt; &amp; more</b>\nsma: BUY 0.5 BTC/USDT at 30000 (taker), fee 15 USDT.\n<i>2024-01-02 03:04:05 UTC</i>',
    );
  });

  it('cuts long messages to what Telegram accepts, without breaking an entity', async () => {
    for (const filler of ['x', '&', '<>']) {
      await sender().send({ ...N, severity: 'critical', text: filler.repeat(5_000) }, signal());
      const text = tg.messages.at(-1)?.text ?? '';
      expect(text.length).toBeLessThanOrEqual(4096);
      expect(text.startsWith('<b>[CRITICAL] Filled')).toBe(true);
    }
  });

  it('classifies failures without ever showing the token', async () => {
    const bad = await failure(sender('999:WRONG-token-value').send(N, signal()));
    expect(bad).toMatchObject({ code: 'ERR_NOTIFY_REJECTED', message: 'telegram: HTTP 401 Unauthorized' });
    tg.failNext(1, 502);
    expect(await failure(sender().send(N, signal()))).toMatchObject({ code: 'ERR_NOTIFY_TRANSIENT' });
    tg.failNext(1, 429, 3);
    expect(await failure(sender().send(N, signal()))).toMatchObject({
      code: 'ERR_NOTIFY_TRANSIENT',
      retryAfterMs: 3000,
    });
    const down = new TelegramSender({
      botToken: tg.token,
      chatId: '1',
      apiBase: `http://127.0.0.1:${await closedPort()}`,
    });
    const refused = await failure(down.send(N, signal()));
    expect(refused).toMatchObject({ code: 'ERR_NOTIFY_TRANSIENT', message: 'telegram: ECONNREFUSED' });
    for (const f of [bad, refused]) expect(f.message).not.toContain(tg.token.split(':')[1]);
  });
});

describe('EmailSender against a fake SMTP server', () => {
  let smtp: FakeSmtp;
  beforeAll(async () => {
    smtp = await FakeSmtp.start({ auth: { user: 'bot@example.com', pass: 'smtp-pass-word-123' } });
  });
  afterAll(() => smtp.close());
  const sender = (pass = 'smtp-pass-word-123', port = smtp.port) =>
    new EmailSender({
      host: '127.0.0.1',
      port,
      secure: false,
      user: 'bot@example.com',
      pass,
      from: 'qts <bot@example.com>',
      to: ['ops@example.com', 'me@example.com'],
      timeoutMs: 5_000,
    });

  it('delivers a plain-text mail with the subject, both recipients and the fields', async () => {
    const s = sender();
    await s.send({ ...N, severity: 'warning' }, signal());
    await s.close?.();
    const m = smtp.messages.at(-1);
    expect(m).toMatchObject({
      from: 'bot@example.com',
      to: ['ops@example.com', 'me@example.com'],
      user: 'bot@example.com',
    });
    expect(m?.data).toMatch(
      /^Subject: \[qts\] \[WARNING\] Filled BUY 0\.5 BTC\/USDT @ 30000 <market> & more$/m,
    );
    expect(m?.data).toMatch(/^To: ops@example\.com, me@example\.com$/m);
    expect(m?.data).toContain('symbol: BTC/USDT');
    expect(m?.data).toContain('time: 2024-01-02T03:04:05.000Z');
  });

  it('treats bad credentials and 5xx as final, 4xx and a dead server as transient', async () => {
    const s = sender('wrong-password');
    expect(await failure(s.send(N, signal()))).toMatchObject({
      code: 'ERR_NOTIFY_REJECTED',
      message: 'email: EAUTH (SMTP 535)',
    });
    await s.close?.();
    smtp.failNext(451);
    expect(await failure(sender().send(N, signal()))).toMatchObject({
      code: 'ERR_NOTIFY_TRANSIENT',
      message: 'email: EENVELOPE (SMTP 451)',
    });
    smtp.failNext(550);
    expect(await failure(sender().send(N, signal()))).toMatchObject({ code: 'ERR_NOTIFY_REJECTED' });
    expect(await failure(sender(undefined, await closedPort()).send(N, signal()))).toMatchObject({
      code: 'ERR_NOTIFY_TRANSIENT',
    });
  });
});

describe('WebhookSender against a fake receiver', () => {
  let hook: FakeWebhook;
  beforeAll(async () => {
    hook = await FakeWebhook.start();
  });
  afterAll(() => hook.close());

  it('posts the JSON payload with a signature the receiver can verify', async () => {
    const secret = 'webhook-signing-secret-0123';
    await new WebhookSender({ url: hook.url(), secret }, () => 1_700_000_000_000).send(N, signal());
    const r = hook.received.at(-1);
    expect(r?.path).toBe('/hook/s3cr3t-path-token');
    expect(JSON.parse(r?.body ?? '')).toEqual({
      source: 'quant-trading-system',
      kind: 'fill',
      severity: 'info',
      title: N.title,
      text: N.text,
      time: '2024-01-02T03:04:05.000Z',
      data: { symbol: 'BTC/USDT', qty: '0.5' },
    });
    expect(r?.headers['x-qts-timestamp']).toBe('1700000000000');
    expect(r?.headers['x-qts-signature']).toBe(webhookSignature(secret, '1700000000000', r?.body ?? ''));
    expect(r?.headers['x-qts-signature']).not.toBe(
      webhookSignature('another-secret-xxxxxxx', '1700000000000', r?.body ?? ''),
    );
  });

  it('sends no signature without a secret; 5xx is transient, 4xx final', async () => {
    const s = new WebhookSender({ url: hook.url('/plain') }, () => 0);
    await s.send(N, signal());
    expect(hook.received.at(-1)?.headers['x-qts-signature']).toBeUndefined();
    hook.failNext(503);
    expect(await failure(s.send(N, signal()))).toMatchObject({ code: 'ERR_NOTIFY_TRANSIENT' });
    hook.failNext(404);
    expect(await failure(s.send(N, signal()))).toMatchObject({
      code: 'ERR_NOTIFY_REJECTED',
      message: 'webhook: HTTP 404 Not Found',
    });
  });
});
