import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startServices, stopServices } from '../../src/app/services/index.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import { FileAuditLog } from '../../src/monitor/audit/FileAuditLog.js';
import { notifierSecrets } from '../../src/notify/createSenders.js';

describe('notifier secrets', () => {
  const root = mkdtempSync(join(tmpdir(), 'qts-notifier-secrets-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('are all listed, the webhook URL included', () => {
    const cfg = AppConfigSchema.parse({
      notifications: {
        telegram: { botToken: '123:abc-DEF', chatId: '1' },
        email: { host: 'h', port: 25, user: 'u', pass: 'pw-0123456789', from: 'a@b.c', to: ['d@e.f'] },
        webhook: { url: 'https://hooks.example.com/T0/B1/abcdef', secret: 'webhook-secret-0123456789' },
      },
    }).notifications;
    expect(notifierSecrets(cfg)).toEqual([
      '123:abc-DEF',
      'pw-0123456789',
      'https://hooks.example.com/T0/B1/abcdef',
      'webhook-secret-0123456789',
    ]);
    expect(notifierSecrets(AppConfigSchema.parse({}).notifications)).toEqual([]);
  });

  it('never reach the audit trail, not even in the configuration recorded at start', async () => {
    const url = 'http://127.0.0.1:9/hook/path-is-the-credential-0123456789';
    const config = AppConfigSchema.parse({
      mode: 'api',
      metrics: { enabled: false },
      push: { enabled: false },
      notifications: { webhook: { url, secret: 'audit-webhook-secret-0123456789' } },
    });
    const dir = join(root, 'audit');
    const audit = FileAuditLog.open({ dir, now: () => Date.now() });
    const services = await startServices({
      mode: 'api',
      config,
      log: pino({ level: 'silent' }),
      audit,
      logTail: undefined,
      status: { status: () => ({}) as never, components: () => [] },
      engine: undefined,
      now: () => Date.now(),
    });
    expect(services.map((s) => s.name)).toContain('notifications');
    await stopServices(services);
    audit.close();
    const text = readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('');
    expect(text).toContain('"config.loaded"');
    expect(text).not.toContain('path-is-the-credential');
    expect(text).not.toContain('audit-webhook-secret');
  });
});
