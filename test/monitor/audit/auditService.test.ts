import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { TradingRuntime } from '../../../src/app/TradingRuntime.js';
import { configHash, startAuditService } from '../../../src/app/services/auditService.js';
import { AppConfigSchema } from '../../../src/config/configSchema.js';
import { FileAuditLog } from '../../../src/monitor/audit/FileAuditLog.js';
import { verifyAuditLog } from '../../../src/monitor/audit/verifyAuditLog.js';
import { secretRegistry } from '../../../src/monitor/SecretRegistry.js';

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await cond())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('audit service on a running shadow engine', () => {
  const root = mkdtempSync(join(tmpdir(), 'qts-audit-service-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('records config, order intents, risk decisions, fills and trading-state changes in one intact chain', async () => {
    const token = 'audit-service-token-0123456789';
    secretRegistry.register(token);
    const config = AppConfigSchema.parse({
      mode: 'shadow',
      marketData: { source: 'synthetic', replayBarsPerSecond: 200 },
      strategies: [
        {
          id: 'sma-fast',
          strategy: 'sma-cross',
          symbols: ['BTC/USDT'],
          timeframe: '1m',
          params: { fast: 2, slow: 3 },
          sizing: 'percent:10',
        },
      ],
      storage: { dbPath: join(root, 'trading.db') },
      api: { host: '127.0.0.1', port: 0, tokens: [{ name: 'ops', role: 'admin', token }] },
      risk: { staleDataMs: 600_000, maxOrdersPerMinute: 1_000_000 },
    });
    const audit = FileAuditLog.open({ dir: join(root, 'audit'), now: () => Date.now() });
    const rt = await TradingRuntime.startShadow(config, {
      log: pino({ level: 'silent' }),
      audit,
      noHttp: true,
      noServices: true,
    });
    const service = startAuditService(
      {
        mode: 'shadow',
        config,
        log: pino({ level: 'silent' }),
        audit,
        logTail: undefined,
        status: rt,
        engine: rt,
        now: () => Date.now(),
      },
      { pollMs: 20 },
    );
    try {
      await until(
        async () => (await audit.query({ kind: 'order.filled', limit: 2 })).length >= 2,
        'two fills in the audit trail',
      );
      rt.kill(false, 'audit test', 'api:ops');
      await until(
        async () => (await audit.query({ kind: 'trading.state', text: 'HALTED' })).length === 1,
        'the kill switch in the audit trail',
      );
    } finally {
      await service.stop();
      await rt.stop();
      audit.close();
    }

    const all = (await audit.query({ limit: 10_000 })).reverse();
    const kinds = new Set(all.map((e) => e.kind));
    for (const k of ['config.loaded', 'trading.state', 'order.intent', 'risk.accepted', 'order.filled'])
      expect(kinds, k).toContain(k);

    const loaded = all.find((e) => e.kind === 'config.loaded');
    expect(loaded?.data['hash']).toBe(configHash(config));
    expect(JSON.stringify(loaded?.data)).not.toContain(token);

    const intent = all.find((e) => e.kind === 'order.intent');
    expect(intent?.actor).toBe('sma-fast');
    const orderId = intent?.data['orderId'];
    const lifecycle = all.filter((e) => e.data['orderId'] === orderId).map((e) => e.kind);
    expect(lifecycle.slice(0, 2)).toEqual(['order.intent', 'risk.accepted']);
    const fill = all.find((e) => e.kind === 'order.filled');
    // Exact amounts are decimal strings (Fixed formatted), not raw bigints.
    expect(fill?.data['lastQty']).toMatch(/^\d+(\.\d+)?$/);
    expect(Number(fill?.data['lastPx'])).toBeGreaterThan(0);

    const halted = all.find((e) => e.kind === 'trading.state' && e.data['state'] === 'HALTED');
    expect(halted?.data).toMatchObject({ killSwitch: true });
    expect(String(halted?.data['reason'])).toContain('api:ops');

    expect(verifyAuditLog(join(root, 'audit'))).toMatchObject({ ok: true, records: all.length });
  });
});
