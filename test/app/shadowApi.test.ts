import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import { floorToStep, formatFixed, toFixed } from '../../src/core/Fixed.js';
import { isQtsError } from '../../src/core/QtsError.js';
import { barsTopic } from '../../src/kernel/topics.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';
import { RecordingAudit } from './support/RecordingAudit.js';
import { startApiShadow } from './support/startApiShadow.js';
import type { client } from './support/http.js';
import { until } from './support/http.js';

const TOKENS = {
  viewer: 'viewer-token-0123456789abcdef',
  trader: 'trader-token-0123456789abcdef',
  admin: 'admin-token-0123456789abcdef',
} as const;
const SYMBOL = 'BTC/USDT';

function config(dbPath: string) {
  return AppConfigSchema.parse({
    mode: 'shadow',
    // 1s bars: the synthetic market replays 60 s of history fast, then closes one bar per
    // timeframe; market orders fill at the next bar's open. On 1m bars a test reached after
    // the replay (a loaded CI machine) waited up to a minute for a fill and timed out.
    marketData: { source: 'synthetic', replayBarsPerSecond: 25 },
    account: { currency: 'USDT', initialCash: 100_000 },
    strategies: [
      { id: 'sma', strategy: 'sma-cross', symbols: [SYMBOL], timeframe: '1s', params: { fast: 5, slow: 20 } },
    ],
    storage: { dbPath },
    risk: { priceBandPct: 0.5, maxOrdersPerMinute: 10_000 },
    api: {
      host: '127.0.0.1',
      port: 0,
      tokens: [
        { name: 'vera', role: 'viewer', token: TOKENS.viewer },
        { name: 'tom', role: 'trader', token: TOKENS.trader },
        { name: 'ada', role: 'admin', token: TOKENS.admin },
      ],
      jwt: { secret: 'shadow-api-test-secret-0123456789abcdef' },
      // This suite sends many requests and bad tokens on purpose; the limits have their own test.
      rateLimit: { max: 1_000_000, authFailures: 1_000_000 },
    },
  });
}

/** The access policy documented in docs/api.md; everything else is a viewer GET or a trader command. */
const PUBLIC = new Set(['GET /api/v1/health', 'GET /api/v1/health/ready', 'POST /api/v1/auth/login']);
const ADMIN = new Set(['POST /api/v1/risk/resume', 'GET /api/v1/audit']);
const need = (route: string): 'public' | 'viewer' | 'trader' | 'admin' =>
  PUBLIC.has(route) ? 'public' : ADMIN.has(route) ? 'admin' : route.startsWith('GET ') ? 'viewer' : 'trader';

describe('REST API of a running shadow engine (real socket)', () => {
  const audit = new RecordingAudit();
  let rt: TradingRuntime;
  let call: ReturnType<typeof client>;

  const request = (o: Partial<OrderRequest>): OrderRequest => ({
    symbol: SYMBOL,
    side: 'BUY',
    type: 'MARKET',
    quantity: toFixed('0.1'),
    timeInForce: 'GTC',
    postOnly: false,
    reduceOnly: false,
    ...o,
  });
  const positionQty = () => rt.node.portfolio.positionQty(SYMBOL);
  /** How long a market order may take to fill on the synthetic market (see the close test). */
  const FILL_WAIT_MS = 60_000;

  beforeAll(async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-shadow-api-')), 'trading.db');
    ({ rt, call } = await startApiShadow(config(dbPath), audit, SYMBOL));
  });
  afterAll(async () => {
    await rt?.stop();
  });

  it('serves health without a token; every other route needs one (401 without, with a bad one, or an expired session)', async () => {
    expect((await call('GET', '/api/v1/health')).status).toBe(200);
    const ready = await call<{ components: { name: string }[] }>('GET', '/api/v1/health/ready');
    expect(ready.body.components.map((c) => c.name)).toEqual(
      expect.arrayContaining(['market-data', 'database', 'trading']),
    );
    for (const token of [undefined, 'nope', `${TOKENS.admin}x`, 'a.b.c']) {
      const r = await call('GET', '/api/v1/status', { token });
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ error: 'ERR_UNAUTHORIZED' });
      expect(r.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect((await call('GET', '/api/v1/docs/json')).status).toBe(401);
    expect((await call('GET', '/docs/json')).status).toBe(401);
    expect((await call('GET', '/api/v1/status', { token: TOKENS.viewer })).body).toMatchObject({
      mode: 'shadow',
      marketData: { source: 'synthetic' },
    });
  });

  it('documents every route in OpenAPI (/docs/json) and applies the role matrix to each of them', async () => {
    const doc = await call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/docs/json', {
      token: TOKENS.viewer,
    });
    expect(doc.status).toBe(200);
    const routes = Object.entries(doc.body.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    // The resource groups of the issue, each present.
    for (const r of [
      'GET /api/v1/health',
      'GET /api/v1/health/ready',
      'GET /api/v1/status',
      'POST /api/v1/auth/login',
      'GET /api/v1/strategies',
      'POST /api/v1/strategies/{id}/start',
      'POST /api/v1/strategies/{id}/stop',
      'PUT /api/v1/strategies/{id}/params',
      'GET /api/v1/orders',
      'POST /api/v1/orders/{id}/cancel',
      'GET /api/v1/fills',
      'GET /api/v1/positions',
      'POST /api/v1/positions/close',
      'GET /api/v1/balances',
      'GET /api/v1/pnl',
      'GET /api/v1/pnl/equity',
      'GET /api/v1/risk',
      'POST /api/v1/risk/kill',
      'POST /api/v1/risk/resume',
      'GET /api/v1/market/symbols',
      'GET /api/v1/market/candles',
      'GET /api/v1/market/ticker',
      'GET /api/v1/history/runs',
      'POST /api/v1/backtests',
      'GET /api/v1/backtests/{id}',
      'GET /api/v1/audit',
    ])
      expect(routes).toContain(r);
    expect((await call('GET', '/docs', { token: TOKENS.viewer })).status).toBe(200);

    const rank = { public: 0, viewer: 1, trader: 2, admin: 3 } as const;
    for (const route of routes.filter((r) => r.includes(' /api/v1/'))) {
      const [method, template] = route.split(' ') as [string, string];
      const path = template.replace('{id}', 'no-such-id');
      const required = need(route);
      for (const role of ['none', 'viewer', 'trader', 'admin'] as const) {
        const token = role === 'none' ? undefined : TOKENS[role];
        const r = await call(method, path, { token, ...(method === 'GET' ? {} : { body: {} }) });
        const have = role === 'none' ? 0 : rank[role];
        const expected = have >= rank[required] ? 'allowed' : role === 'none' ? 401 : 403;
        const got = r.status === 401 || r.status === 403 ? r.status : 'allowed';
        expect(`${route} as ${role}: ${got}`).toBe(`${route} as ${role}: ${expected}`);
        expect(r.status).toBeLessThan(500);
      }
    }
    // The matrix pulled the kill switch with an empty body; lift it.
    await call('POST', '/api/v1/risk/resume', { token: TOKENS.admin, body: {} });
    expect(rt.node.risk.state).toBe('ACTIVE');
  });

  it('keeps CORS closed and sends security headers', async () => {
    const origin = { origin: 'http://evil.example' };
    const r = await call('GET', '/api/v1/health', { headers: origin });
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await fetch(`http://127.0.0.1:${rt.port}/api/v1/status`, {
      method: 'OPTIONS',
      headers: { ...origin, 'access-control-request-method': 'GET' },
    });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(r.headers.get('strict-transport-security')).toMatch(/max-age=/);
    expect(r.headers.get('x-powered-by')).toBeNull();
  });

  it('answers bad queries and bodies with a 4xx naming the field, never a 500', async () => {
    const admin = TOKENS.admin;
    const table: [string, string, unknown, number, RegExp][] = [
      ['GET', '/api/v1/orders?limit=0', undefined, 400, /^limit: /],
      ['GET', '/api/v1/orders?limit=abc', undefined, 400, /^limit: /],
      ['GET', '/api/v1/orders?from=-5', undefined, 400, /^from: /],
      ['GET', '/api/v1/orders?open=maybe', undefined, 400, /^open: /],
      ['GET', '/api/v1/orders?symbol=btcusdt', undefined, 400, /^symbol: /],
      ['GET', '/api/v1/orders?status=FILLED,NOPE', undefined, 400, /NOPE/],
      ['GET', '/api/v1/fills?limit=100000', undefined, 400, /^limit: /],
      ['GET', '/api/v1/market/candles', undefined, 400, /symbol: /],
      ['GET', `/api/v1/market/candles?symbol=${SYMBOL}&timeframe=1x`, undefined, 400, /^timeframe: /],
      ['GET', '/api/v1/market/ticker?symbol=ETH/USDT', undefined, 404, /ETH\/USDT/],
      ['GET', '/api/v1/pnl?from=yesterday', undefined, 400, /^from: /],
      ['GET', '/api/v1/pnl/equity?points=1', undefined, 400, /^points: /],
      ['GET', '/api/v1/audit?limit=-1', undefined, 400, /^limit: /],
      ['GET', '/api/v1/orders/%00', undefined, 400, /^id: /],
      ['GET', '/api/v1/orders/Q-none', undefined, 404, /Q-none/],
      ['POST', '/api/v1/positions/close', '{', 400, /JSON/i],
      ['POST', '/api/v1/positions/close', { symbol: SYMBOL, quantity: '-1' }, 400, /^quantity: /],
      ['POST', '/api/v1/positions/close', { symbol: SYMBOL, quantity: '1e5' }, 400, /^quantity: /],
      ['POST', '/api/v1/positions/close', { symbol: 123 }, 400, /^symbol: /],
      ['POST', '/api/v1/positions/close', { symbol: 'ETH/USDT' }, 404, /ETH\/USDT/],
      ['POST', '/api/v1/risk/kill', { flatten: 'yes' }, 400, /^flatten: /],
      ['POST', '/api/v1/risk/kill', { reason: '' }, 400, /^reason: /],
      ['POST', '/api/v1/risk/kill', { reason: 'x'.repeat(1000) }, 400, /^reason: /],
      ['POST', '/api/v1/risk/resume', [], 400, /expected object/],
      ['PUT', '/api/v1/strategies/sma/params', { params: { fast: 'x' } }, 400, /fast/],
      [
        'PUT',
        '/api/v1/strategies/sma/params',
        { params: { fast: 30, slow: 10 } },
        400,
        /fast must be smaller/,
      ],
      ['PUT', '/api/v1/strategies/sma/params', {}, 400, /^params: /],
      ['PUT', '/api/v1/strategies/nope/params', { params: {} }, 404, /nope/],
      ['POST', '/api/v1/strategies/sma/stop', { cancelOrders: 1 }, 400, /^cancelOrders: /],
      ['POST', '/api/v1/orders/Q-none/cancel', {}, 404, /Q-none/],
      ['POST', '/api/v1/backtests', { strategy: 'sma-cross' }, 400, /symbol/],
      [
        'POST',
        '/api/v1/backtests',
        { strategy: 'sma-cross', file: '../../etc/passwd' },
        400,
        /relative name/,
      ],
      ['POST', '/api/v1/backtests', { strategy: 'sma-cross', file: '/etc/passwd' }, 400, /relative name/],
      ['POST', '/api/v1/backtests', { strategy: 'sma-cross', file: 'a;rm -rf' }, 400, /^file: /],
      ['POST', '/api/v1/backtests', { strategy: 'nope', symbol: SYMBOL, timeframe: '1m' }, 422, /available/],
      ['POST', '/api/v1/auth/login', {}, 400, /name: /],
      ['POST', '/api/v1/auth/login', { name: 'x'.repeat(100), token: 'y' }, 400, /^name: /],
      ['POST', '/api/v1/positions/close', 'x'.repeat(300_000), 413, /./],
    ];
    for (const [method, path, body, status, message] of table) {
      const r = await call<{ error: string; message: string }>(method, path, { token: admin, body });
      expect(`${method} ${path} → ${r.status}`).toBe(`${method} ${path} → ${status}`);
      expect(r.body.error).toMatch(/^ERR_|^FST_/);
      expect(r.body.message).toMatch(message);
    }
    const text = await call('POST', '/api/v1/risk/kill', {
      token: admin,
      body: 'flatten',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.status).toBe(400);
    expect(text.body).toMatchObject({
      error: 'ERR_BAD_REQUEST',
      message: expect.stringMatching(/expected object/) as unknown,
    });

    // Fuzz: any JSON body to any command, any query to any list, never a 5xx.
    const commands = [
      ['POST', '/api/v1/positions/close'],
      ['PUT', '/api/v1/strategies/sma/params'],
      ['POST', '/api/v1/orders/x/cancel'],
      ['POST', '/api/v1/backtests'],
      ['POST', '/api/v1/auth/login'],
    ] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...commands), fc.jsonValue(), async ([method, path], body) => {
        const r = await call(method, path, { token: admin, body: JSON.stringify(body) });
        return r.status >= 400 && r.status < 500;
      }),
      { numRuns: 150 },
    );
    const lists = ['orders', 'fills', 'pnl', 'pnl/equity', 'market/candles', 'audit', 'history/runs'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...lists),
        fc.dictionary(
          fc.constantFrom('limit', 'from', 'to', 'symbol', 'status', 'open', 'points', 'timeframe'),
          fc.string(),
        ),
        async (list, query) => {
          const r = await call('GET', `/api/v1/${list}?${new URLSearchParams(query).toString()}`, {
            token: admin,
          });
          return r.status < 500;
        },
      ),
      { numRuns: 150 },
    );
  });

  it('cancels a resting order through the OMS; a viewer may not; audit names the trader', async () => {
    const mark = audit.entries.length;
    const last = rt.node.lastPrice(SYMBOL) as number;
    const resting = rt.node.submit(
      'test',
      request({ type: 'LIMIT', price: toFixed((last * 0.6).toFixed(2)) }),
    );
    await until(() => resting.status === 'ACCEPTED', 'the limit order to rest');
    const open = await call<{ items: { id: string; cancelRequestedAt: number | null }[] }>(
      'GET',
      '/api/v1/orders?open=true',
      { token: TOKENS.viewer },
    );
    expect(open.body.items.find((o) => o.id === resting.id)).toMatchObject({ cancelRequestedAt: null });

    const path = `/api/v1/orders/${resting.id}/cancel`;
    expect((await call('POST', path, { token: TOKENS.viewer, body: {} })).status).toBe(403);
    expect(resting.status).toBe('ACCEPTED');
    const r = await call<{ ok: boolean; order: { status: string } }>('POST', path, {
      token: TOKENS.trader,
      body: {},
    });
    expect(r.status).toBe(200);
    expect(r.body.ok).toBe(true);
    expect(resting.status).toBe('CANCELED');
    expect((await call('GET', `/api/v1/orders/${resting.id}`, { token: TOKENS.viewer })).body).toMatchObject({
      status: 'CANCELED',
      reason: expect.stringContaining('api:tom') as unknown,
      // When the cancel was asked: kept with the order once it ended.
      cancelRequestedAt: resting.pendingCancel?.ts,
    });
    expect(resting.pendingCancel?.ts).toBeTypeOf('number');
    const again = await call('POST', path, { token: TOKENS.trader, body: {} });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: 'ERR_ORDER_NOT_OPEN' });
    expect(
      audit.entries
        .slice(mark)
        .filter((e) => e.kind === 'api.order.cancel')
        .map((e) => [e.actor, e.data['ok']]),
    ).toEqual([
      ['api:tom', true],
      ['api:tom', false],
    ]);
  });

  it(
    'closes a position with a reduce-only order through the risk engine: REDUCING lets it pass, HALTED denies it',
    async () => {
      const mark = audit.entries.length;
      // The strategy trades the same symbol; keep it out of the way while positions are counted.
      // A stopped strategy's orders stay open: one it sent just before (a sell on a cross) would
      // fill beside the buy below and move the position the waits read, so none may be left.
      rt.node.stopStrategy('sma');
      for (const o of rt.node.oms.openOrders(SYMBOL, 'sma')) rt.node.oms.cancel(o.id, 'test: out of the way');
      await until(() => rt.node.oms.openOrders(SYMBOL, 'sma').length === 0, "the strategy's orders to end");
      const before = positionQty();
      const buy = rt.node.submit('test', request({ quantity: toFixed('0.2') }));
      // An order refused on the way ends the wait at once, with its reason in the failure. Up to
      // a minute: the synthetic market catches up 60 s of history before it runs at the clock's
      // pace; a wait that still times out says where the order and the market were.
      await until(() => buy.isTerminal, 'the buy to fill', FILL_WAIT_MS).catch((e: unknown) => {
        const events = buy.events.map((ev) => `${ev.type}@${ev.ts}`).join(', ');
        throw new Error(
          `${String(e)}: ${buy.status} (${events}); now ${rt.node.clock.now()}, last price ${rt.node.lastPrice(SYMBOL)}`,
        );
      });
      expect(`${buy.status} ${buy.reasonCode ?? ''} ${buy.reason ?? ''}`).toMatch(/^FILLED /);
      const held = positionQty();
      expect(held).toBeGreaterThan(before);

      // REDUCING: a new opening order is denied, the close is let through.
      rt.node.risk.setState('REDUCING');
      const opening = rt.node.submit('test', request({ quantity: toFixed('0.01') }));
      expect(opening.status).toBe('DENIED');
      expect(opening.reasonCode).toBe('ERR_RISK_REDUCING_ONLY');
      const halfQty = floorToStep((held / 2n) as typeof held, rt.node.instrument(SYMBOL).lotSize);
      const half = formatFixed(halfQty);
      const r = await call<{
        ok: boolean;
        order: { id: string; reduceOnly: boolean; side: string; quantity: string };
      }>('POST', '/api/v1/positions/close', {
        token: TOKENS.trader,
        body: { symbol: SYMBOL, quantity: half },
      });
      expect(`${r.status} ${JSON.stringify(r.body)}`).toMatch(/^202 /);
      expect(r.body.order).toMatchObject({ reduceOnly: true, side: 'SELL', quantity: half });
      await until(() => positionQty() === held - halfQty, 'the close to fill', FILL_WAIT_MS);
      const tooMuch = await call('POST', '/api/v1/positions/close', {
        token: TOKENS.trader,
        body: { symbol: SYMBOL, quantity: formatFixed(held) },
      });
      expect(tooMuch.status).toBe(400);

      // HALTED (kill switch): even a close is denied by risk, and the API says so with the denied order.
      expect(
        (await call('POST', '/api/v1/risk/kill', { token: TOKENS.trader, body: { reason: 'test halt' } }))
          .status,
      ).toBe(200);
      const denied = await call<{ ok: boolean; error: string; order: { status: string } }>(
        'POST',
        '/api/v1/positions/close',
        {
          token: TOKENS.trader,
          body: { symbol: SYMBOL },
        },
      );
      expect(denied.status).toBe(422);
      expect(denied.body).toMatchObject({ ok: false, error: 'ERR_RISK_HALTED', order: { status: 'DENIED' } });
      expect((await call('POST', '/api/v1/risk/resume', { token: TOKENS.admin, body: {} })).status).toBe(200);

      // Flat again through the API; positions and the ledger agree.
      const rest = await call('POST', '/api/v1/positions/close', {
        token: TOKENS.trader,
        body: { symbol: SYMBOL },
      });
      expect(rest.status).toBe(202);
      await until(() => positionQty() === 0n, 'the position to be flat', FILL_WAIT_MS);
      const noPos = await call('POST', '/api/v1/positions/close', {
        token: TOKENS.trader,
        body: { symbol: SYMBOL },
      });
      expect(noPos.status).toBe(409);
      rt.node.startStrategy('sma');
      expect(
        audit.entries
          .slice(mark)
          .filter((e) => e.kind === 'api.position.close')
          .map((e) => [e.actor, e.data['ok']]),
      ).toEqual([
        ['api:tom', true],
        ['api:tom', false],
        ['api:tom', false],
        ['api:tom', true],
        ['api:tom', false],
      ]);
    },
    4 * FILL_WAIT_MS,
  );

  it('kill switch and resume: a trader may kill, only an admin may resume; both persist and are audit-logged', async () => {
    const resting = rt.node.submit(
      'test',
      request({ type: 'LIMIT', price: toFixed(((rt.node.lastPrice(SYMBOL) as number) * 0.6).toFixed(2)) }),
    );
    await until(() => resting.status === 'ACCEPTED', 'the limit order to rest');
    const kill = await call<{ ok: boolean; message: string }>('POST', '/api/v1/risk/kill', {
      token: TOKENS.trader,
      body: { reason: 'fat finger' },
    });
    expect(kill.status).toBe(200);
    expect(kill.body.message).toMatch(/HALTED/);
    expect(resting.status).toBe('CANCELED');
    const risk = await call('GET', '/api/v1/risk', { token: TOKENS.viewer });
    expect(risk.body).toMatchObject({ state: 'HALTED', killSwitch: true, reason: 'fat finger (by api:tom)' });
    expect((await call('GET', '/api/v1/health/ready')).status).toBe(503);
    expect((await call('POST', '/api/v1/risk/resume', { token: TOKENS.trader, body: {} })).status).toBe(403);
    expect(rt.node.risk.state).toBe('HALTED');
    const resume = await call('POST', '/api/v1/risk/resume', {
      token: TOKENS.admin,
      body: { reason: 'checked' },
    });
    expect(resume.status).toBe(200);
    expect((await call('GET', '/api/v1/risk', { token: TOKENS.viewer })).body).toMatchObject({
      state: 'ACTIVE',
      killSwitch: false,
    });
    const kills = audit.entries.filter((e) => e.kind === 'api.kill' && e.data['reason'] === 'fat finger');
    expect(kills.map((e) => e.actor)).toEqual(['api:tom']);
    const resumes = audit.entries.filter((e) => e.kind === 'api.resume' && e.data['reason'] === 'checked');
    expect(resumes.map((e) => e.actor)).toEqual(['api:ada']);
    // The audit trail is queryable by an admin only.
    const q = await call<{ items: { kind: string; actor: string }[] }>(
      'GET',
      '/api/v1/audit?kind=api.resume&actor=api:ada',
      {
        token: TOKENS.admin,
      },
    );
    expect(q.body.items.length).toBeGreaterThan(0);
    expect(q.body.items.every((e) => e.kind === 'api.resume' && e.actor === 'api:ada')).toBe(true);
  });

  it('stops, starts and re-parameterizes a strategy (validated by its schema), audit-logged', async () => {
    const mark = audit.entries.length;
    const topic = barsTopic(SYMBOL, '1s');
    expect(rt.node.bus.hasSubscribers(topic)).toBe(true);
    const stop = await call<{ running: boolean }>('POST', '/api/v1/strategies/sma/stop', {
      token: TOKENS.trader,
      body: {},
    });
    expect(stop.status).toBe(200);
    expect(stop.body.running).toBe(false);
    // Disconnected: nothing listens to the bars any more.
    expect(rt.node.bus.hasSubscribers(topic)).toBe(false);
    expect((await call('GET', '/api/v1/status', { token: TOKENS.viewer })).body).toMatchObject({
      strategies: [{ id: 'sma', running: false }],
    });
    const start = await call<{ running: boolean }>('POST', '/api/v1/strategies/sma/start', {
      token: TOKENS.trader,
      body: {},
    });
    expect(start.body.running).toBe(true);
    expect(rt.node.bus.hasSubscribers(topic)).toBe(true);

    const upd = await call<{ params: Record<string, unknown>; running: boolean }>(
      'PUT',
      '/api/v1/strategies/sma/params',
      {
        token: TOKENS.trader,
        body: { params: { fast: 3, slow: 12 } },
      },
    );
    expect(upd.status).toBe(200);
    expect(upd.body).toMatchObject({ params: { fast: 3, slow: 12 }, running: true });
    const list = await call<{
      items: { id: string; params: unknown; paramsSchema: { properties?: object } }[];
    }>('GET', '/api/v1/strategies', { token: TOKENS.viewer });
    expect(list.body.items[0]).toMatchObject({ id: 'sma', params: { fast: 3, slow: 12 } });
    expect(Object.keys(list.body.items[0]?.paramsSchema.properties ?? {})).toEqual(['fast', 'slow']);
    expect(rt.node.bus.hasSubscribers(topic)).toBe(true);
    expect(
      audit.entries
        .slice(mark)
        .filter((e) => e.kind.startsWith('api.strategy.'))
        .map((e) => `${e.kind} ${e.actor}`),
    ).toEqual(['api.strategy.stop api:tom', 'api.strategy.start api:tom', 'api.strategy.params api:tom']);
  });

  it('reports PnL that agrees with the ledger to the last unit, fills, balances and an equity curve', async () => {
    const pnl = await call<{
      realized: string;
      fees: string;
      byStrategy: { strategyId: string; realized: string }[];
    }>('GET', '/api/v1/pnl', { token: TOKENS.viewer });
    expect(pnl.status).toBe(200);
    expect(pnl.body.realized).toBe(formatFixed(rt.node.portfolio.ledger.realizedPnl()));
    expect(pnl.body.fees).toBe(formatFixed(rt.node.portfolio.ledger.feesPaid('USDT')));
    const sum = pnl.body.byStrategy.reduce((s, b) => s + toFixed(b.realized), 0n);
    expect(formatFixed(sum as ReturnType<typeof toFixed>)).toBe(pnl.body.realized);
    const balances = await call<{ items: { currency: string; amount: string }[] }>(
      'GET',
      '/api/v1/balances',
      {
        token: TOKENS.viewer,
      },
    );
    expect(balances.body.items).toContainEqual({
      currency: 'USDT',
      amount: formatFixed(rt.node.portfolio.cash()),
    });
    const fills = await call<{ items: { strategyId: string }[] }>('GET', '/api/v1/fills?strategyId=api', {
      token: TOKENS.viewer,
    });
    expect(fills.body.items.length).toBeGreaterThan(0);
    expect(fills.body.items.every((f) => f.strategyId === 'api')).toBe(true);
    await until(async () => {
      const eq = await call<{ points: unknown[] }>('GET', '/api/v1/pnl/equity', { token: TOKENS.viewer });
      return eq.body.points.length >= 2;
    }, 'two equity samples');
    const candles = await call<{ candles: { ts: number }[] }>(
      'GET',
      `/api/v1/market/candles?symbol=${SYMBOL}&timeframe=1s&limit=5`,
      {
        token: TOKENS.viewer,
      },
    );
    expect(candles.body.candles.length).toBeGreaterThan(0);
    expect(candles.body.candles.length).toBeLessThanOrEqual(5);
    const ticker = await call('GET', `/api/v1/market/ticker?symbol=${SYMBOL}`, { token: TOKENS.viewer });
    // The feed moves on while we ask: the answer is a live price, not stale.
    expect(ticker.body).toMatchObject({ symbol: SYMBOL, stale: false });
    expect((ticker.body as { last: number }).last).toBeGreaterThan(0);
  });

  it('logs in: a session JWT for a configured token, audit-logged; wrong credentials are 401', async () => {
    const mark = audit.entries.length;
    const ok = await call<{ token: string; role: string }>('POST', '/api/v1/auth/login', {
      body: { name: 'tom', token: TOKENS.trader },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.role).toBe('trader');
    const me = await call('GET', '/api/v1/auth/me', { token: ok.body.token });
    expect(me.body).toEqual({ name: 'tom', role: 'trader' });
    // The session carries the role: a trader session may not resume.
    expect((await call('POST', '/api/v1/risk/resume', { token: ok.body.token, body: {} })).status).toBe(403);
    // A session token cannot log in again, nor can another user's token.
    expect(
      (await call('POST', '/api/v1/auth/login', { body: { name: 'tom', token: ok.body.token } })).status,
    ).toBe(401);
    expect(
      (await call('POST', '/api/v1/auth/login', { body: { name: 'tom', token: TOKENS.admin } })).status,
    ).toBe(401);
    expect(
      audit.entries
        .slice(mark)
        .filter((e) => e.kind === 'auth.login')
        .map((e) => e.actor),
    ).toEqual(['api:tom']);
    expect(
      audit.entries
        .slice(mark)
        .filter((e) => e.kind === 'auth.login_failed')
        .map((e) => e.data['name']),
    ).toEqual(['tom', 'tom']);
  });
});

describe('API exposure', () => {
  it('refuses to start a shadow engine on a non-loopback address without a token, before binding anything', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-exposed-')), 'trading.db');
    const cfg = config(dbPath);
    let err: unknown;
    try {
      await TradingRuntime.startShadow(
        { ...cfg, api: { ...cfg.api, host: '0.0.0.0', tokens: [] } },
        { log: pino({ level: 'silent' }) },
      );
    } catch (e) {
      err = e;
    }
    expect(isQtsError(err, 'ERR_API_AUTH_REQUIRED')).toBe(true);
  });
});
