import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Notification } from '../../src/notify/Notification.js';
import type { NotificationHubOptions } from '../../src/notify/NotificationHub.js';
import { NotificationHub } from '../../src/notify/NotificationHub.js';
import type { NotificationSender } from '../../src/notify/NotificationSender.js';
import { TelegramSender } from '../../src/notify/TelegramSender.js';
import { WebhookSender } from '../../src/notify/WebhookSender.js';
import { FakeTelegram } from '../support/fakeTelegram.js';
import { FakeWebhook } from '../support/fakeWebhook.js';

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function capturingLog(): { log: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: pino({ level: 'trace' }, { write: (s: string) => void lines.push(s) }), lines };
}

const note = (i: number | string, extra: Partial<Notification> = {}): Notification => ({
  kind: 'fill',
  severity: 'info',
  title: `fill ${i}`,
  text: `text ${i}`,
  time: 0,
  ...extra,
});

function options(
  senders: NotificationSender[],
  over: Partial<NotificationHubOptions> = {},
): NotificationHubOptions {
  return {
    senders,
    now: () => Date.now(),
    log: pino({ level: 'silent' }),
    dedupWindowMs: 60_000,
    rateLimit: { perMinute: 6_000, burst: 100 },
    retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 50 },
    queueSize: 100,
    timeoutMs: 5_000,
    ...over,
  };
}

/** An in-memory sender that always succeeds. */
class MemorySender implements NotificationSender {
  readonly name = 'memory';
  readonly secrets: readonly string[] = [];
  readonly got: Notification[] = [];
  send(n: Notification): Promise<void> {
    this.got.push(n);
    return Promise.resolve();
  }
}

describe('NotificationHub', () => {
  let tg: FakeTelegram;
  let hook: FakeWebhook;
  beforeAll(async () => {
    tg = await FakeTelegram.start();
    hook = await FakeWebhook.start();
  });
  afterAll(async () => {
    await tg.close();
    await hook.close();
  });
  const telegram = () => new TelegramSender({ botToken: tg.token, chatId: '42', apiBase: tg.apiBase });
  const webhook = () => new WebhookSender({ url: hook.url('/h') }, () => 0);

  it('fans out to every sender, sends a repeated event once per dedup window, and only the chosen kinds', async () => {
    let t = 1_000_000;
    const tg0 = tg.messages.length;
    const h0 = hook.received.length;
    const hub = new NotificationHub(
      options([telegram(), webhook()], { now: () => t, kinds: ['fill', 'risk'] }),
    );
    hub.notify(note(1, { dedupKey: 'k' }));
    hub.notify(note(2, { dedupKey: 'k' }));
    t += 59_999;
    hub.notify(note(3, { dedupKey: 'k' }));
    t += 1;
    hub.notify(note(4, { dedupKey: 'k' }));
    hub.notify(note(5, { kind: 'error' }));
    hub.notify(note(6, { kind: 'risk' }));
    await hub.idle();
    expect(tg.messages.slice(tg0).map((m) => m.text.split('\n')[0])).toEqual([
      '<b>fill 1</b>',
      '<b>fill 4</b>',
      '<b>fill 6</b>',
    ]);
    expect(hook.received.slice(h0).map((r) => (JSON.parse(r.body) as { title: string }).title)).toEqual([
      'fill 1',
      'fill 4',
      'fill 6',
    ]);
    expect(hub.duplicates).toBe(2);
    await hub.stop();
  });

  it('dedup matches a model of "first of each key per window" for any sequence (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 400 })), {
          maxLength: 60,
        }),
        async (events) => {
          let t = 0;
          const mem = new MemorySender();
          const hub = new NotificationHub(options([mem], { now: () => t, dedupWindowMs: 500 }));
          const last = new Map<string, number>();
          const want: string[] = [];
          events.forEach(([key, dt], i) => {
            t += dt;
            const prev = last.get(key);
            if (prev === undefined || t - prev >= 500) {
              last.set(key, t);
              want.push(`${key}${i}`);
            }
            hub.notify(note(`${key}${i}`, { dedupKey: key }));
          });
          await hub.idle();
          expect(mem.got.map((n) => n.title.slice(5))).toEqual(want);
          await hub.stop();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('rate-limits each sender, lets critical events through, and later says how many were held back', async () => {
    const h0 = hook.received.length;
    const hub = new NotificationHub(options([webhook()], { rateLimit: { perMinute: 1_200, burst: 2 } }));
    for (let i = 0; i < 7; i++) hub.notify(note(`r${i}`));
    hub.notify(note('kill', { kind: 'kill-switch', severity: 'critical' }));
    const bodies = () =>
      hook.received
        .slice(h0)
        .map((r) => JSON.parse(r.body) as { kind: string; title: string; data: { suppressed?: number } });
    await until(() => bodies().some((b) => b.kind === 'suppressed'), 'the suppression summary');
    await hub.idle();
    expect(bodies().map((b) => b.title)).toEqual([
      'fill r0',
      'fill r1',
      'fill kill',
      '5 notifications suppressed by the rate limit',
    ]);
    expect(bodies()[3]?.data.suppressed).toBe(5);
    expect(hub.stats()[0]).toMatchObject({ sent: 4, suppressed: 5, failed: 0 });
    await hub.stop();
  });

  it('retries after 5xx and 429 with backoff, and gives up at once on a final 4xx', async () => {
    const tg0 = tg.messages.length;
    const req0 = tg.requests;
    const hookReq0 = hook.requests;
    const hub = new NotificationHub(options([telegram(), webhook()]));
    tg.failNext(2, 500);
    tg.failNext(1, 429, 0.01);
    hook.failNext(400);
    hub.notify(note('retry'));
    await hub.idle();
    expect(tg.messages.slice(tg0)).toHaveLength(1);
    expect(tg.requests - req0).toBe(4);
    expect(hook.requests - hookReq0).toBe(1);
    const [t, w] = hub.stats();
    expect(t).toMatchObject({ name: 'telegram', sent: 1, retries: 3, failed: 0 });
    expect(w).toMatchObject({
      name: 'webhook',
      sent: 0,
      failed: 1,
      retries: 0,
      lastError: 'webhook: HTTP 400 Bad Request',
    });
    // Attempts are bounded: a channel that keeps failing is given up after `attempts`.
    tg.failNext(10, 503);
    const before = tg.requests;
    hub.notify(note('never'));
    await hub.idle();
    expect(tg.requests - before).toBe(4);
    expect(hub.stats()[0]).toMatchObject({ failed: 1 });
    await hub.stop();
  });

  it('a hanging channel neither blocks the others nor grows without bound, and stop does not wait for it', async () => {
    const h0 = hook.received.length;
    tg.stall();
    const hub = new NotificationHub(options([telegram(), webhook()], { queueSize: 3, timeoutMs: 60_000 }));
    // One at a time: the healthy channel delivers each while the other hangs on its first.
    for (let i = 0; i < 10; i++) {
      hub.notify(note(`h${i}`));
      await until(() => hook.received.length - h0 === i + 1, `message ${i} on the healthy channel`);
    }
    await until(
      () => tg.requests > 0 && hub.stats()[0]?.queued === 3,
      'the stalled channel to fill its queue',
    );
    // One in flight, three queued, the oldest six dropped.
    expect(hub.stats()[0]).toMatchObject({ name: 'telegram', sent: 0, dropped: 6, queued: 3 });
    await hub.stop(50);
    expect(hub.stats()[0]).toMatchObject({ sent: 0, queued: 0, dropped: 9 });
    tg.release();
  });

  it('never puts a secret in a log line or an outgoing message', async () => {
    const { log, lines } = capturingLog();
    const secretWebhook = new WebhookSender(
      { url: hook.url('/h'), secret: 'webhook-signing-secret-777' },
      () => 0,
    );
    const leaky: NotificationSender = {
      name: 'leaky',
      secrets: ['smtp-password-abc123'],
      send: () =>
        Promise.reject(new Error(`connect failed for user:smtp-password-abc123@host with ${tg.token}`)),
    };
    const down = new TelegramSender({ botToken: tg.token, chatId: '1', apiBase: 'http://127.0.0.1:9/' });
    const hub = new NotificationHub(
      options([down, leaky, secretWebhook], { log, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 } }),
    );
    const h0 = hook.received.length;
    hub.notify(note('s', { text: `an error mentioning ${tg.token} and webhook-signing-secret-777` }));
    await hub.idle();
    await hub.stop();
    const all = lines.join('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(all).toContain('notification not delivered by leaky');
    for (const secret of [tg.token, 'smtp-password-abc123', 'webhook-signing-secret-777', hook.url('/h')])
      expect(all).not.toContain(secret);
    const body = hook.received.slice(h0)[0]?.body ?? '';
    expect(body).toContain('[REDACTED]');
    expect(body).not.toContain(tg.token);
    expect(body).not.toContain('webhook-signing-secret-777');
  });
});
