import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { startNotifyService } from '../../src/app/services/notifyService.js';
import type { AppConfig } from '../../src/config/configSchema.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import { NULL_AUDIT } from '../../src/monitor/AuditSink.js';
import { LogTail } from '../../src/monitor/LogTail.js';
import { createLogger } from '../../src/monitor/createLogger.js';
import { FakeSmtp } from '../support/fakeSmtp.js';
import { FakeTelegram } from '../support/fakeTelegram.js';
import { FakeWebhook } from '../support/fakeWebhook.js';

async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A silent shadow engine without side services, and the notify service watching it on `now`'s clock. */
async function engineWithNotifier(
  config: AppConfig,
  now: () => number,
): Promise<{ rt: TradingRuntime; svc: ReturnType<typeof startNotifyService> }> {
  const log = pino({ level: 'silent' });
  const rt = await TradingRuntime.startShadow(config, { log, noHttp: true, noServices: true });
  const svc = startNotifyService(
    { mode: 'shadow', config, log, audit: NULL_AUDIT, logTail: undefined, status: rt, engine: rt, now },
    { pollMs: 10 },
  );
  return { rt, svc };
}

const WEBHOOK_SECRET = 'e2e-webhook-signing-secret';
const SMTP_PASS = 'e2e-smtp-password-123';

describe('notifications from a real shadow runtime', () => {
  let tg: FakeTelegram;
  let smtp: FakeSmtp;
  let hook: FakeWebhook;
  beforeAll(async () => {
    tg = await FakeTelegram.start();
    smtp = await FakeSmtp.start({ auth: { user: 'qts', pass: SMTP_PASS } });
    hook = await FakeWebhook.start();
  });
  afterAll(async () => {
    await tg.close();
    await smtp.close();
    await hook.close();
  });

  const configFor = (over: Record<string, unknown> = {}) => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-notify-e2e-'));
    return AppConfigSchema.parse({
      mode: 'shadow',
      marketData: { source: 'synthetic', replayBarsPerSecond: 10 },
      account: { currency: 'USDT', initialCash: 10_000 },
      strategies: [
        {
          id: 'dca-btc',
          strategy: 'dca',
          symbols: ['BTC/USDT'],
          timeframe: '1m',
          params: { amount: 100, everyBars: 3 },
        },
      ],
      storage: { dbPath: join(dir, 'trading.db') },
      api: { host: '127.0.0.1', port: 0 },
      risk: { maxOrdersPerMinute: 1_000_000, staleDataMs: 600_000, priceBandPct: 0.5 },
      metrics: { enabled: false },
      push: { enabled: false },
      audit: { dir: join(dir, 'audit') },
      notifications: {
        rateLimit: { perMinute: 6_000, burst: 50 },
        retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
        telegram: { botToken: tg.token, chatId: '-1001', apiBase: tg.apiBase },
        email: {
          host: '127.0.0.1',
          port: smtp.port,
          user: 'qts',
          pass: SMTP_PASS,
          from: 'qts@example.com',
          to: ['ops@example.com'],
        },
        webhook: { url: hook.url('/qts'), secret: WEBHOOK_SECRET },
        ...over,
      },
    });
  };
  const hookKinds = () => hook.received.map((r) => (JSON.parse(r.body) as { kind: string }).kind);

  it('a fill, an engine error and the kill switch reach Telegram, email and the webhook; no secret reaches the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const logTail = new LogTail();
    const log = createLogger({ level: 'info', format: 'json', destination: sink, tail: logTail });
    // Started like `qts shadow`: the notification service comes from the SERVICES list.
    const rt = await TradingRuntime.startShadow(configFor(), { log, logTail, noHttp: true });
    try {
      await until(() => hookKinds().includes('fill'), 'a fill at the webhook');
      await until(() => tg.messages.some((m) => m.text.startsWith('<b>Filled BUY')), 'a fill on Telegram');
      await until(
        () => smtp.messages.some((m) => /^Subject: \[qts\] Filled BUY .* BTC\/USDT @ /m.test(m.data)),
        'a fill mail',
      );
      const fill = JSON.parse(hook.received.find((r) => r.body.includes('"kind":"fill"'))?.body ?? '{}') as {
        data: { symbol: string; side: string; strategy: string };
      };
      expect(fill.data).toMatchObject({ symbol: 'BTC/USDT', side: 'BUY', strategy: 'dca-btc' });

      log.error({ code: 'ERR_E2E_PROBE' }, 'probe: something went wrong');
      await until(() => hookKinds().includes('error'), 'the error notification');
      expect(tg.messages.some((m) => m.text.includes('Engine error: probe: something went wrong'))).toBe(
        true,
      );

      rt.kill(false, 'e2e drill', 'test');
      await until(() => hookKinds().includes('kill-switch'), 'the kill switch at the webhook');
      await until(
        () => tg.messages.some((m) => m.text.startsWith('<b>[CRITICAL] KILL SWITCH')),
        'the kill switch on Telegram',
      );
      await until(
        () => smtp.messages.some((m) => /^Subject: \[qts\] \[CRITICAL\] KILL SWITCH/m.test(m.data)),
        'the kill switch mail',
      );
      const kill = JSON.parse(
        hook.received.find((r) => r.body.includes('"kind":"kill-switch"'))?.body ?? '{}',
      ) as {
        text: string;
      };
      expect(kill.text).toMatch(/^e2e drill \(by test\)\. Open orders were canceled/);
      expect(tg.messages.every((m) => m.chatId === '-1001')).toBe(true);
      expect(smtp.messages.every((m) => m.user === 'qts' && m.to.includes('ops@example.com'))).toBe(true);
    } finally {
      await rt.stop();
    }
    const all = lines.join('');
    expect(all).toContain('notifications on');
    for (const s of [tg.token, SMTP_PASS, WEBHOOK_SECRET]) expect(all).not.toContain(s);
  }, 60_000);

  it('a kill switch and a resume are each told once per channel (no echo as a risk event)', async () => {
    const { rt, svc } = await engineWithNotifier(configFor({ events: ['risk', 'kill-switch'] }), () =>
      Date.now(),
    );
    const h0 = hook.received.length;
    const t0 = tg.messages.length;
    const kinds = (): string[] => hookKinds().slice(h0);
    try {
      rt.kill(false, 'drill one', 'test');
      await until(() => kinds().includes('kill-switch'), 'the first kill switch');
      rt.resume('drill over', 'test');
      await until(() => kinds().includes('risk'), 'the resume');
      // A second kill switch is seen by a later check than the resume: whatever the resume
      // caused has been queued (in order) before it.
      rt.kill(false, 'drill two', 'test');
      await until(() => kinds().filter((k) => k === 'kill-switch').length === 2, 'the second kill switch');
      await until(() => tg.messages.length - t0 === kinds().length, 'Telegram to catch up');
      expect(kinds()).toEqual(['kill-switch', 'risk', 'kill-switch']);
      expect(tg.messages.slice(t0).map((m) => m.text.split('\n')[0])).toEqual([
        '<b>[CRITICAL] KILL SWITCH: trading HALTED</b>',
        '<b>Trading ACTIVE</b>',
        '<b>[CRITICAL] KILL SWITCH: trading HALTED</b>',
      ]);
    } finally {
      await svc?.stop();
      await rt.stop();
    }
  }, 60_000);

  it('a circuit breaker trip and the daily summary at the configured UTC hour (injected time)', async () => {
    let now = Date.UTC(2024, 2, 10, 6, 59, 59);
    const { rt, svc } = await engineWithNotifier(
      configFor({ dailySummaryHourUtc: 7, events: ['risk', 'daily-summary'] }),
      () => now,
    );
    try {
      expect(svc).toBeDefined();
      await until(() => rt.node.portfolio.positionQty('BTC/USDT') > 0n, 'a position');
      const t0 = tg.messages.length;
      const h0 = hook.received.length;
      // Before 07:00 UTC nothing is due (the schedule itself is covered in DailySchedule.test.ts).
      expect(hookKinds().slice(h0)).not.toContain('daily-summary');
      now = Date.UTC(2024, 2, 10, 7, 0, 0);
      await until(() => hookKinds().slice(h0).includes('daily-summary'), 'the daily summary');
      const summary = JSON.parse(
        hook.received.slice(h0).find((r) => r.body.includes('"kind":"daily-summary"'))?.body ?? '{}',
      ) as { title: string; data: { equity: number; fills: number } };
      expect(summary.title).toMatch(/^Daily summary 2024-03-10 \(shadow\): equity \d+\.\d\d USDT/);
      expect(summary.data.fills).toBeGreaterThan(0);
      expect(Math.abs(summary.data.equity - rt.node.portfolio.equity())).toBeLessThan(
        rt.node.portfolio.equity() * 0.05,
      );
      // Fills are not among the chosen events here.
      expect(hookKinds().slice(h0)).not.toContain('fill');

      rt.node.risk.configureBreakers({ maxDrawdownPct: 0.1, breakerState: 'HALTED' });
      rt.node.risk.onEquity(10_000, 1);
      rt.node.risk.onEquity(8_000, 2);
      await until(() => hookKinds().slice(h0).includes('risk'), 'the breaker notification');
      await until(
        () => tg.messages.slice(t0).some((m) => m.text.startsWith('<b>[CRITICAL] Trading HALTED')),
        'the breaker on Telegram',
      );
      // The runtime's own listener still persisted the halt: both listeners ran.
      expect(rt.status().tradingState).toBe('HALTED');
      expect(rt.status().tradingStateReason).toMatch(/circuit breaker/);
    } finally {
      await svc?.stop();
      await rt.stop();
    }
  }, 60_000);
});
