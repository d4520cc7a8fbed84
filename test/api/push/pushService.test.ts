import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineStatus } from '../../../src/api/EngineStatus.js';
import { TradingRuntime } from '../../../src/app/TradingRuntime.js';
import type { PushService } from '../../../src/app/services/pushService.js';
import { pushPort, startPushService } from '../../../src/app/services/pushService.js';
import { SERVICES } from '../../../src/app/services/index.js';
import { pushService } from '../../../src/app/services/pushService.js';
import { AppConfigSchema } from '../../../src/config/configSchema.js';
import { barsTopic } from '../../../src/kernel/topics.js';
import type { Bar } from '../../../src/model/Bar.js';
import type { AuditSink } from '../../../src/monitor/AuditSink.js';
import { LogTail } from '../../../src/monitor/LogTail.js';
import { FillStore } from '../../../src/storage/sqlite/FillStore.js';
import { fillWire } from '../../../src/api/push/sources/wireFormat.js';
import type { PushMessage } from './TestPushClient.js';
import { TestPushClient, eventually } from './TestPushClient.js';

const TOKEN = 'push-viewer-token-123456';
const CANDLES = 'candles:BTC/USDT:1s';
const CHANNELS = [
  CANDLES,
  'tickers:BTC/USDT',
  'orders',
  'fills',
  'positions',
  'equity',
  'risk',
  'strategies',
  'logs',
];

function recordingAudit(): AuditSink & { kinds: string[] } {
  const kinds: string[] = [];
  return { kinds, record: (kind) => void kinds.push(kind), query: () => Promise.resolve([]) };
}

const snapshotOf = (c: TestPushClient, channel: string): PushMessage | undefined =>
  c.messages.find((m) => m.op === 'snapshot' && m.channel === channel);

describe('push service on a running shadow engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qts-push-'));
  const logTail = new LogTail(5_000);
  const log = pino({ level: 'info' }, logTail);
  const audit = recordingAudit();
  const config = AppConfigSchema.parse({
    mode: 'shadow',
    // 1s bars: the synthetic market replays its history fast for about a minute, then closes one
    // bar per timeframe; a market order fills at the next bar's open. On 1m bars, tests reached
    // after the replay (a loaded machine) waited a minute for a fill and minutes for candles.
    marketData: { source: 'synthetic', replayBarsPerSecond: 40, seed: 11 },
    account: { currency: 'USDT', initialCash: 100_000, commission: 0.001 },
    strategies: [
      {
        id: 'sma-btc',
        strategy: 'sma-cross',
        symbols: ['BTC/USDT'],
        timeframe: '1s',
        params: { fast: 2, slow: 4 },
        sizing: 'fixed:0.1',
      },
    ],
    storage: { dbPath: join(dir, 'trading.db') },
    api: { host: '127.0.0.1', port: 0, tokens: [{ name: 'dash', token: TOKEN, role: 'viewer' }] },
    push: { heartbeatMs: 60_000, throttleMs: 50, maxBufferedBytes: 64 * 1024 },
    risk: { maxOrdersPerMinute: 1_000_000, staleDataMs: 600_000 },
  });
  let rt: TradingRuntime;
  let push: PushService;
  let url: string;
  const bars: Bar[] = [];
  const clients: TestPushClient[] = [];

  beforeAll(async () => {
    rt = await TradingRuntime.startShadow(config, { log, noHttp: true, noServices: true, logTail });
    rt.node.bus.subscribe(barsTopic('BTC/USDT', '1s'), (b) => bars.push(b));
    const started = await startPushService({
      mode: 'shadow',
      config,
      log,
      audit,
      logTail,
      status: rt,
      engine: rt,
      now: () => Date.now(),
    });
    if (started === undefined) throw new Error('push service did not start');
    push = started;
    url = `ws://127.0.0.1:${push.port}/`;
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await push?.stop();
    await rt?.stop();
  });

  async function viewer(): Promise<TestPushClient> {
    const c = await TestPushClient.connect(url);
    clients.push(c);
    c.send({ op: 'auth', token: TOKEN });
    await c.waitFor((m) => m.op === 'authed', 'authed');
    return c;
  }

  it('is registered as a service, and binds a free port when the API does (port 0)', () => {
    expect(SERVICES).toContain(pushService);
    expect(pushPort({ config, mode: 'shadow' })).toBe(0);
    expect(push.port).toBeGreaterThan(0);
    expect(push.health?.()).toMatchObject({ name: 'push', ready: true });
  });

  it('refuses a bad token', async () => {
    const c = await TestPushClient.connect(`${url}?token=wrong-token-wrong-token`);
    clients.push(c);
    expect(await c.waitFor((m) => m.op === 'error', 'error')).toMatchObject({ code: 'ERR_PUSH_AUTH_FAILED' });
    expect((await c.waitClose()).code).toBe(4401);
    expect(audit.kinds).toContain('push.auth.failed');
  });

  it('streams what the engine does: candles, tickers, orders, fills, positions, equity, risk, strategies, logs', async () => {
    const c = await viewer();
    expect(audit.kinds).toContain('push.auth');
    for (const channel of CHANNELS) c.send({ op: 'subscribe', channel });
    await c.until(() => (CHANNELS.every((ch) => snapshotOf(c, ch)) ? true : undefined), 'every snapshot');
    expect(snapshotOf(c, 'risk')?.data).toEqual({ state: 'ACTIVE', reason: '' });
    expect(snapshotOf(c, 'strategies')?.data).toMatchObject({
      strategies: [{ id: 'sma-btc', strategy: 'sma-cross', symbols: ['BTC/USDT'], running: true }],
    });
    const lines = (snapshotOf(c, 'logs')?.data as { lines: { level: string; msg: string }[] }).lines;
    expect(lines.some((l) => l.level === 'info' && l.msg.startsWith('market data:'))).toBe(true);
    expect(snapshotOf(c, 'equity')?.data).toMatchObject({ currency: 'USDT' });

    // The strategy trades on the synthetic market: a fill arrives, with the position it opened.
    const fill = await c.waitFor((m) => m.op === 'event' && m.channel === 'fills', 'a fill', 30_000);
    const order = await c.waitFor(
      (m) =>
        m.op === 'event' &&
        m.channel === 'orders' &&
        (m.data as { event: { type: string } }).event.type === 'OrderFilled',
      'an OrderFilled order event',
    );
    const filled = fill.data as { orderId: string; tradeId: string; qty: string; side: string };
    expect(filled.qty).toBe('0.1');
    expect((order.data as { order: { id: string; status: string } }).order).toMatchObject({
      id: filled.orderId,
      status: 'FILLED',
    });
    // The pushed fill is the one in the system of record, to the last digit.
    const stored = new FillStore(rt.db).forOrder(filled.orderId).map(fillWire);
    expect(stored).toContainEqual(fill.data);
    await c.waitFor(
      (m) =>
        m.channel === 'positions' &&
        m.op === 'event' &&
        (m.data as { positions: { symbol: string; qty: string }[] }).positions.some(
          (p) => p.symbol === 'BTC/USDT',
        ),
      'an open position',
    );
    await c.waitFor((m) => m.op === 'event' && m.channel === 'equity', 'equity update');
    await c.waitFor((m) => m.op === 'event' && m.channel === 'tickers:BTC/USDT', 'ticker update');

    // Candle events are the bars the engine published, in order, numbered without gaps.
    await c.until(() => (c.events(CANDLES).length >= 5 ? true : undefined), '5 candles');
    const candles = c.events(CANDLES);
    const first = candles[0]?.seq ?? 0;
    expect(candles.map((e) => e.seq)).toEqual(candles.map((_, i) => first + i));
    for (const e of candles) {
      const bar = e.data as Bar;
      expect(bars.find((b) => b.ts === bar.ts)).toEqual(bar);
    }

    // Kill switch: the trading state and the log line are pushed.
    rt.kill(false, 'push test', 'vitest');
    const risk = await c.waitFor((m) => m.op === 'event' && m.channel === 'risk', 'risk change');
    expect(risk.data).toMatchObject({ state: 'HALTED' });
    expect((risk.data as { reason: string }).reason).toMatch(/push test \(by vitest\)/);
    const line = await c.waitFor(
      (m) =>
        m.channel === 'logs' &&
        m.op === 'event' &&
        String((m.data as { msg: string }).msg).includes('KILL SWITCH'),
      'kill switch log line',
    );
    expect(line.data).toMatchObject({ level: 'warn' });
    rt.resume('push test over', 'vitest');
    await c.waitFor(
      (m) => m.channel === 'risk' && m.op === 'event' && (m.data as { state: string }).state === 'ACTIVE',
      'risk back to ACTIVE',
    );
  }, 60_000);

  it('resumes after a reconnect: the missed candles are replayed, then the stream continues without a gap', async () => {
    const a = await viewer();
    a.send({ op: 'subscribe', channel: CANDLES });
    const snap = await a.waitFor((m) => m.op === 'snapshot' && m.channel === CANDLES, 'snapshot');
    expect((snap.data as { candles: Bar[] }).candles.length).toBeGreaterThan(0);
    await a.until(() => (a.events(CANDLES).length >= 2 ? true : undefined), 'candles');
    const lastSeq = a.events(CANDLES).at(-1)?.seq ?? -1;
    a.close();
    const seen = bars.length;
    await eventually(() => bars.length >= seen + 4, 'candles published while away');

    const b = await viewer();
    b.send({ op: 'resume', channel: CANDLES, lastSeq, epoch: push.server.epoch });
    const resumed = await b.waitFor((m) => m.op === 'resumed', 'resumed');
    expect(resumed['replayed']).toBeGreaterThanOrEqual(4);
    await b.until(
      () => (b.events(CANDLES).length >= (resumed['replayed'] as number) + 3 ? true : undefined),
      'live candles',
    );
    const seqs = b.events(CANDLES).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => lastSeq + 1 + i));
    expect(b.messages.some((m) => m.op === 'snapshot')).toBe(false);
  });

  it('drops a client that stops reading while the others receive every log line, memory bounded', async () => {
    const fast = await viewer();
    const slow = await viewer();
    for (const c of [fast, slow]) {
      c.send({ op: 'subscribe', channel: 'logs' });
      await c.waitFor((m) => m.op === 'snapshot' && m.channel === 'logs', 'logs snapshot');
    }
    slow.ws.pause();
    const pad = 'y'.repeat(4_000);
    let n = 0;
    while (push.stats().droppedSlow === 0) {
      if (n > 50_000) throw new Error('slow client never dropped');
      for (let i = 0; i < 50; i++) log.info({ pad, n: n++ }, 'bulk line');
      const want = n;
      await fast.until(
        () =>
          fast.events('logs').filter((e) => (e.data as { msg: string }).msg === 'bulk line').length === want
            ? true
            : undefined,
        'fast client caught up',
      );
    }
    expect(push.stats().peakBuffered).toBeLessThanOrEqual(64 * 1024 + 8_000);
    expect(n * pad.length).toBeGreaterThan(4 * 64 * 1024);
    const seqs = fast.events('logs').map((e) => e.seq as number);
    expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] as number) + i));
    // The drop itself is logged, and pushed to the clients that remain.
    await fast.waitFor(
      (m) =>
        m.channel === 'logs' &&
        m.op === 'event' &&
        String((m.data as { msg: string }).msg).includes('dropped'),
      'drop logged',
    );
  }, 60_000);

  it('tells subscribers of strategies when parameters change, not only start and stop', async () => {
    const c = await viewer();
    c.send({ op: 'subscribe', channel: 'strategies' });
    const snap = await c.waitFor((m) => m.op === 'snapshot' && m.channel === 'strategies', 'snapshot');
    type List = { strategies: { id: string; running: boolean; params: Record<string, unknown> }[] };
    expect((snap.data as List).strategies[0]).toMatchObject({ id: 'sma-btc', params: { fast: 2, slow: 4 } });
    rt.node.updateStrategyParams('sma-btc', { fast: 3, slow: 5 });
    const ev = await c.waitFor((m) => m.op === 'event' && m.channel === 'strategies', 'a strategies event');
    expect((ev.data as List).strategies[0]).toMatchObject({
      id: 'sma-btc',
      running: true,
      params: { fast: 3, slow: 5 },
    });
  });
});

describe('push service in api mode (no engine)', () => {
  it('serves the log tail and an empty strategy list; engine channels do not exist', async () => {
    const config = AppConfigSchema.parse({ mode: 'api', api: { host: '127.0.0.1', port: 0 } });
    const logTail = new LogTail();
    const log = pino({ level: 'info' }, logTail);
    // What api mode reports about itself: no strategy runs there.
    const api = { status: () => ({ strategies: [] }) as unknown as EngineStatus, components: () => [] };
    const push = await startPushService({
      mode: 'api',
      config,
      log,
      audit: recordingAudit(),
      logTail,
      status: api,
      engine: undefined,
      now: () => Date.now(),
    });
    try {
      if (push === undefined) throw new Error('push service did not start');
      expect(push.server.channelNames().sort()).toEqual(['logs', 'strategies']);
      // No token configured, loopback: a viewer without a token.
      const c = await TestPushClient.connect(`ws://127.0.0.1:${push.port}/`);
      c.send({ op: 'subscribe', channel: 'strategies' });
      expect(await c.waitFor((m) => m.op === 'snapshot', 'snapshot')).toMatchObject({
        data: { strategies: [] },
      });
      c.send({ op: 'subscribe', channel: 'orders' });
      expect(await c.waitFor((m) => m.op === 'error', 'error')).toMatchObject({
        code: 'ERR_PUSH_UNKNOWN_CHANNEL',
      });
      c.send({ op: 'subscribe', channel: 'logs' });
      await c.waitFor((m) => m.op === 'snapshot' && m.channel === 'logs', 'logs snapshot');
      log.warn('hello from api mode');
      await c.waitFor(
        (m) => m.op === 'event' && (m.data as { msg: string }).msg === 'hello from api mode',
        'log line',
      );
      c.close();
    } finally {
      await push?.stop();
    }
  });

  it('refuses to serve a non-loopback host without tokens, and stays off when disabled', async () => {
    const base = {
      mode: 'api' as const,
      log: pino({ level: 'silent' }),
      audit: recordingAudit(),
      logTail: undefined,
      engine: undefined,
      now: () => Date.now(),
    };
    const status = {
      status: () => {
        throw new Error('unused');
      },
      components: () => [],
    };
    const open = AppConfigSchema.parse({ mode: 'api', push: { host: '0.0.0.0', port: 0 } });
    await expect(startPushService({ ...base, config: open, status })).rejects.toMatchObject({
      code: 'ERR_CONFIG',
    });
    const off = AppConfigSchema.parse({ mode: 'api', push: { enabled: false } });
    expect(await startPushService({ ...base, config: off, status })).toBeUndefined();
  });
});
