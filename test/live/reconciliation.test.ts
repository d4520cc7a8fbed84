import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ccxt from 'ccxt';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { checkLiveStart } from '../../src/app/checkLiveStart.js';
import type { LiveVenue } from '../../src/app/LiveVenue.js';
import { liveVariant } from '../../src/app/liveVariant.js';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { AppConfigSchema, DEFAULT_PORTS } from '../../src/config/configSchema.js';
import type { AppConfig } from '../../src/config/configSchema.js';
import { toFixed } from '../../src/core/Fixed.js';
import { createTradingExchange } from '../../src/exchanges/ccxt/createTradingExchange.js';
import { reconcileAccount } from '../../src/execution/reconcileAccount.js';
import type { AuditSink } from '../../src/monitor/AuditSink.js';
import type { Harness } from './support/liveHarness.js';
import { signedFetch } from '../fakeBinance/privateHelpers.js';
import { KEYS, SYMBOL, exchangeTotal, startHarness } from './support/liveHarness.js';

const log = pino({ level: 'silent' });

function liveConfig(dbPath: string, over: Record<string, unknown> = {}): AppConfig {
  return AppConfigSchema.parse({
    mode: 'live',
    marketData: { source: 'exchange' },
    account: { currency: 'USDT', initialCash: 100_000, commission: 0.001 },
    strategies: [
      {
        id: 'sma',
        strategy: 'sma-cross',
        symbols: [SYMBOL],
        timeframe: '1m',
        params: { fast: 5, slow: 20 },
        sizing: 'fixed:0.1',
      },
    ],
    storage: { dbPath },
    api: {
      host: '127.0.0.1',
      port: 0,
      tokens: [{ name: 'ops', role: 'admin', token: 'a-long-enough-token-123' }],
    },
    live: {
      confirmed: true,
      syncIntervalMs: 50,
      reconcileIntervalMs: 60_000,
      resolveWithinMs: 2_000,
      streams: false,
    },
    ...over,
  });
}

describe('live start gating', () => {
  const base = liveConfig(':memory:');
  it('needs a supported exchange, API tokens and an explicit confirmation, each with its own code', () => {
    expect(() => checkLiveStart(base)).not.toThrow();
    expect(() => checkLiveStart({ ...base, exchange: { ...base.exchange, id: 'coinbase' } })).toThrow(
      expect.objectContaining({ code: 'ERR_EXCHANGE_NOT_SUPPORTED' }),
    );
    expect(() => checkLiveStart({ ...base, api: { ...base.api, tokens: [] } })).toThrow(
      expect.objectContaining({ code: 'ERR_LIVE_API_AUTH_MISSING' }),
    );
    expect(() => checkLiveStart({ ...base, live: { ...base.live, confirmed: false } })).toThrow(
      /LIVE_TRADING_CONFIRM=yes/,
    );
    expect(() => checkLiveStart({ ...base, live: { ...base.live, confirmed: false } })).toThrow(
      expect.objectContaining({ code: 'ERR_LIVE_NOT_CONFIRMED' }),
    );
  });

  it('an empty configuration is not confirmed and defaults to port 3001 in live mode', () => {
    const cfg = AppConfigSchema.parse({ mode: 'live' });
    expect(cfg.live.confirmed).toBe(false);
    expect(DEFAULT_PORTS[cfg.mode]).toBe(3001);
  });
});

describe('reconcileAccount', () => {
  it('finds every kind of difference and leaves foreign orders and untraded currencies alone', () => {
    const local = {
      openOrders: new Map([['qtsQ1', { symbol: 'A/B' }]]),
      balances: new Map([['B', toFixed('10')]]),
      positions: new Map([['A/B', toFixed('1')]]),
    };
    const exchange = {
      openOrders: new Map([
        ['qtsQ2', { symbol: 'A/B' }],
        ['manual-1', { symbol: 'A/B' }],
      ]),
      balances: new Map([
        ['B', toFixed('9.5')],
        ['C', toFixed('3')],
      ]),
      positions: new Map([['A/B', toFixed('1')]]),
    };
    const diffs = reconcileAccount(local, exchange, {
      isOurs: (id: string) => id.startsWith('qts'),
      currencies: ['B'],
      symbols: ['A/B'],
    });
    expect(diffs.map((d) => [d.kind, d.key])).toEqual([
      ['order-only-local', 'qtsQ1'],
      ['order-only-exchange', 'qtsQ2'],
      ['balance', 'B'],
    ]);
    expect(
      reconcileAccount(local, local, {
        isOurs: (id: string) => id.startsWith('qts'),
        currencies: ['B'],
        symbols: ['A/B'],
      }),
    ).toEqual([]);
  });
});

describe('startup reconciliation against the fake exchange', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
  });

  it('audit-logs every difference and settles it (exchange wins) before the engine is ready', async () => {
    h = await startHarness({ balances: { USDT: '100000', ETH: '2' } });
    const harness = h;
    // An order of ours the database does not know (a lost database), and a human's order.
    const place = (cid: string) =>
      signedFetch(
        harness.fake,
        'POST',
        '/api/v3/order',
        {
          symbol: 'ETHUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '0.1',
          price: '1000',
          newClientOrderId: cid,
        },
        { key: KEYS.apiKey, secret: KEYS.secret },
      );
    expect((await place('qtsQorphan1')).status).toBe(200);
    expect((await place('manual1')).status).toBe(200);
    const records: { kind: string; data: Readonly<Record<string, unknown>> }[] = [];
    const audit: AuditSink = {
      record: (kind, data) => records.push({ kind, data }),
      query: () => Promise.resolve([]),
    };
    const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-recon-')), 'trading.db');
    const rt = await TradingRuntime.start(
      liveConfig(dbPath),
      {
        log,
        noHttp: true,
        noServices: true,
        audit,
        exchangeFactory: async () => {
          const ex = new ccxt.pro.binance();
          await harness.fake.configure(ex);
          return ex;
        },
      },
      liveVariant(KEYS, async () => {
        const { exchange } = createTradingExchange({
          id: 'binance',
          keys: KEYS,
          sandbox: false,
          clientIdPrefix: 'qts',
        });
        await harness.fake.configure(exchange);
        return exchange;
      }),
    );
    try {
      const diffs = records
        .filter((r) => r.kind === 'reconciliation.difference')
        .map((r) => [r.data['kind'], r.data['key']]);
      expect(diffs).toEqual([
        ['order-only-exchange', 'qtsQorphan1'],
        ['position', SYMBOL],
      ]);
      expect(h.fake.account.orderByClientId('qtsQorphan1')?.status).toBe('CANCELED');
      expect(h.fake.account.orderByClientId('manual1')?.status).toBe('NEW');
      expect(rt.node.portfolio.positionQty(SYMBOL)).toBe(exchangeTotal(h.fake, 'ETH'));
      expect(rt.node.portfolio.cash()).toBe(exchangeTotal(h.fake, 'USDT'));
      const recon = rt.components().find((c) => c.name === 'reconciliation');
      expect(recon?.ready).toBe(true);
      expect((rt.venue as LiveVenue).reconciler.settled).toBeGreaterThanOrEqual(2);
    } finally {
      await rt.stop();
    }
  }, 30_000);
});
