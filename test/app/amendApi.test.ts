/**
 * PATCH /api/v1/orders/:id on a running shadow engine (real socket, real SQLite journal):
 * a trader amends a resting limit, the paper venue confirms, the audit names the caller, and
 * bad input, closed orders and risk denials answer 4xx or ok:false — never 500.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import { formatFixed, toFixed } from '../../src/core/Fixed.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';
import { RecordingAudit } from './support/RecordingAudit.js';
import { startApiShadow } from './support/startApiShadow.js';
import type { client } from './support/http.js';

const SYMBOL = 'BTC/USDT';
const TOKENS = { viewer: 'viewer-token-amend-0123456789', trader: 'trader-token-amend-0123456789' } as const;

describe('PATCH /api/v1/orders/:id (shadow runtime)', () => {
  const audit = new RecordingAudit();
  let rt: TradingRuntime;
  let call: ReturnType<typeof client>;

  beforeAll(async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-amend-api-')), 'trading.db');
    const config = AppConfigSchema.parse({
      mode: 'shadow',
      marketData: { source: 'synthetic', replayBarsPerSecond: 25 },
      account: { currency: 'USDT', initialCash: 100_000 },
      strategies: [
        {
          id: 'sma',
          strategy: 'sma-cross',
          symbols: [SYMBOL],
          timeframe: '1m',
          params: { fast: 5, slow: 20 },
        },
      ],
      storage: { dbPath },
      risk: { priceBandPct: 0.5, maxOrdersPerMinute: 10_000 },
      api: {
        host: '127.0.0.1',
        port: 0,
        tokens: [
          { name: 'vera', role: 'viewer', token: TOKENS.viewer },
          { name: 'tom', role: 'trader', token: TOKENS.trader },
        ],
        jwt: { secret: 'amend-api-test-secret-0123456789abcdef' },
        rateLimit: { max: 1_000_000, authFailures: 1_000_000 },
      },
    });
    ({ rt, call } = await startApiShadow(config, audit, SYMBOL));
  });
  afterAll(async () => {
    await rt?.stop();
  });

  /** A buy limit resting well below the market (half the last price, inside the 50% band). */
  function restingBuy(): { id: string; price: number } {
    const last = rt.node.lastPrice(SYMBOL) ?? 0;
    const price = Math.round(last * 0.6);
    const req: OrderRequest = {
      symbol: SYMBOL,
      side: 'BUY',
      type: 'LIMIT',
      quantity: toFixed('0.2'),
      price: toFixed(price),
      timeInForce: 'GTC',
      postOnly: false,
      reduceOnly: false,
    };
    const o = rt.node.submit('manual', req);
    expect(o.status).toBe('ACCEPTED');
    return { id: o.id, price };
  }

  it('amends price and quantity of a resting order; the audit names the trader; GET shows the new terms', async () => {
    const { id, price } = restingBuy();
    const newPrice = String(price + 1);
    const r = await call<{
      ok: boolean;
      message: string;
      order: { status: string; quantity: string; price?: string };
    }>('PATCH', `/api/v1/orders/${id}`, {
      token: TOKENS.trader,
      body: { price: newPrice, quantity: '0.15' },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, message: `order ${id} amended` });
    const order = rt.node.oms.order(id);
    expect([order?.request.price, order?.quantity]).toEqual([toFixed(newPrice), toFixed('0.15')]);
    const got = await call<Record<string, unknown>>('GET', `/api/v1/orders/${id}`, { token: TOKENS.viewer });
    expect(JSON.stringify(got.body)).toContain(formatFixed(toFixed('0.15')));
    const entry = audit.entries.findLast((e) => e.kind === 'api.order.amend');
    expect(entry).toMatchObject({
      actor: 'api:tom',
      data: { orderId: id, price: newPrice, quantity: '0.15', ok: true },
    });
  });

  it('answers 4xx with a message on bad input, unknown or closed orders, viewers; ok:false on a risk denial', async () => {
    const { id, price } = restingBuy();
    const table: [string, unknown, string | undefined, number, RegExp][] = [
      [id, {}, TOKENS.trader, 400, /price and\/or a quantity/],
      [id, { price: 'abc' }, TOKENS.trader, 400, /decimal/],
      [id, { price: '1', extra: 1 }, TOKENS.trader, 400, /extra|Unrecognized/i],
      [id, { quantity: '5' }, TOKENS.trader, 400, /ERR_AMEND_QUANTITY|only lower/],
      ['Q-none', { price: '1' }, TOKENS.trader, 404, /Q-none/],
      [id, { price: '1' }, TOKENS.viewer, 403, /./],
    ];
    for (const [oid, body, token, status, message] of table) {
      const r = await call<{ error: string; message: string }>('PATCH', `/api/v1/orders/${oid}`, {
        token,
        body,
      });
      expect(`${JSON.stringify(body)} → ${r.status}`).toBe(`${JSON.stringify(body)} → ${status}`);
      expect(r.body.message).toMatch(message);
    }
    // Risk: a price far outside the 50% band is denied; the order keeps its terms.
    const denied = await call<{ ok: boolean; message: string }>('PATCH', `/api/v1/orders/${id}`, {
      token: TOKENS.trader,
      body: { price: '1' },
    });
    expect([denied.status, denied.body.ok]).toEqual([200, false]);
    expect(denied.body.message).toMatch(/^ERR_RISK_PRICE_BAND/);
    expect(rt.node.oms.order(id)?.request.price).toBe(toFixed(price));
    rt.node.oms.cancel(id, 'test');
    const closed = await call<{ error: string }>('PATCH', `/api/v1/orders/${id}`, {
      token: TOKENS.trader,
      body: { price: String(price) },
    });
    expect([closed.status, closed.body.error]).toEqual([409, 'ERR_ORDER_NOT_OPEN']);
  });
});
