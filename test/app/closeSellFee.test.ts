/**
 * The REST API's close-position without a quantity, and the kill switch's flatten, on a spot
 * market whose exchange takes a sell's fee in the base coin (ccxt feeSide 'base'). The venue
 * needs the quantity plus its fee in coins, so a sell of every coin held was refused for want
 * of coins, every time: the operator's close and the emergency flatten both failed. They now
 * sell what is held less the fee, floored to the lot; the dust left is no position to close.
 * A real shadow runtime (SQLite, simulated venue) on the fake Binance, over a real socket.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ccxt from 'ccxt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { AppConfigSchema } from '../../src/config/configSchema.js';
import { formatFixed, toFixed } from '../../src/core/Fixed.js';
import type { Order } from '../../src/model/Order.js';
import { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import { loadTradesCsv } from '../support/fakeBinance/loadTradesCsv.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';
import { client, until } from './support/http.js';

const SYMBOL = 'XRP/ETH';
const TRADER = 'trader-token-0123456789abcdef';
const ADMIN = 'admin-token-0123456789abcdef';

describe.skipIf(!HAS_SHARED_DATA)(
  "closing a spot long whose sell pays its fee in the base coin (feeSide 'base')",
  () => {
    let fake: FakeBinance | undefined;
    let rt: TradingRuntime | undefined;
    let call: ReturnType<typeof client>;
    const engine = (): TradingRuntime => rt as TradingRuntime;
    const held = (): string => formatFixed(engine().node.portfolio.positionQty(SYMBOL));
    /** Publishes the next trade print: the simulated venue fills market orders on it. */
    const print = async (order: Order): Promise<void> => {
      (fake as FakeBinance).step(1);
      await until(() => order.isTerminal, `order ${order.id} to end`);
    };

    beforeAll(async () => {
      fake = await FakeBinance.start({
        markets: [{ symbol: SYMBOL, trades: loadTradesCsv(sharedFile('crypto/trades/XRP_ETH-trades.csv')) }],
      });
      const f = fake;
      const config = AppConfigSchema.parse({
        mode: 'shadow',
        marketData: { source: 'exchange' },
        account: { currency: 'ETH', initialCash: 10 },
        // The strategy only makes the engine stream the symbol; it is stopped before trading.
        strategies: [{ id: 'sma', strategy: 'sma-cross', symbols: [SYMBOL], timeframe: '1m' }],
        storage: { dbPath: join(mkdtempSync(join(tmpdir(), 'qts-close-fee-')), 'trading.db') },
        risk: { staleDataMs: 600_000, priceBandPct: 0.5, maxOrdersPerMinute: 1_000_000 },
        api: {
          host: '127.0.0.1',
          port: 0,
          tokens: [
            { name: 'tom', role: 'trader', token: TRADER },
            { name: 'ada', role: 'admin', token: ADMIN },
          ],
          jwt: { secret: 'close-fee-test-secret-0123456789abcdef' },
        },
      });
      rt = await TradingRuntime.startShadow(config, {
        log: pino({ level: 'silent' }),
        noServices: true,
        exchangeFactory: async () => {
          const ex = new ccxt.pro.binance();
          await f.configure(ex);
          // Binance spot takes fees in the coin received ('get'); this market takes every fee in
          // the base coin, as ccxt reports for exchanges that do ('base').
          const market = (await ex.loadMarkets())[SYMBOL];
          if (market === undefined) throw new Error(`fake Binance has no ${SYMBOL}`);
          market.feeSide = 'base';
          return ex;
        },
      });
      rt.node.stopStrategy('sma');
      call = client(`http://127.0.0.1:${rt.port}`);
      await f.waitForSubscription('xrpeth@trade', 10_000);
      f.step(1);
      await until(() => rt?.node.lastPrice(SYMBOL) !== undefined, 'the first trade');
    }, 30_000);
    afterAll(async () => {
      await rt?.stop();
      await fake?.close();
    });

    /** Buys 100 XRP at market; its fee, 0.1 XRP, comes out of the coins bought. */
    async function buy100(): Promise<void> {
      const order = engine().node.submit('test', {
        symbol: SYMBOL,
        side: 'BUY',
        type: 'MARKET',
        quantity: toFixed(100),
        timeInForce: 'GTC',
        postOnly: false,
        reduceOnly: false,
      });
      await print(order);
      expect(order.status).toBe('FILLED');
    }

    it('the API close without a quantity sells what is held less the fee, and fills', async () => {
      const inst = engine().node.instrument(SYMBOL);
      expect([inst.feeSide, formatFixed(inst.lotSize)]).toEqual(['base', '1']);
      await buy100();
      expect(held()).toBe('99.9');
      const r = await call<{ ok: boolean; order: { id: string; quantity: string; side: string } }>(
        'POST',
        '/api/v1/positions/close',
        { token: TRADER, body: { symbol: SYMBOL } },
      );
      expect(`${r.status} ${JSON.stringify(r.body)}`).toMatch(/^202 /);
      // 99.9 / 1.001 = 99.80..., floored to whole coins: 99, whose fee 0.099 XRP is still held.
      expect(r.body.order).toMatchObject({ side: 'SELL', quantity: '99' });
      const order = engine().node.oms.order(r.body.order.id) as Order;
      await print(order);
      expect([order.status, order.reasonCode]).toEqual(['FILLED', undefined]);
      expect(held()).toBe('0.801');
      // The dust left is no position a close could sell.
      const dust = await call('POST', '/api/v1/positions/close', { token: TRADER, body: { symbol: SYMBOL } });
      expect(dust.status).toBe(409);
      expect(dust.body).toMatchObject({ error: 'ERR_NO_POSITION' });
    });

    it("the kill switch's flatten sells what is held less the fee, and fills; dust is left alone", async () => {
      await buy100();
      expect(held()).toBe('100.701');
      const kill = await call<{ message: string }>('POST', '/api/v1/risk/kill', {
        token: TRADER,
        body: { flatten: true, reason: 'drill' },
      });
      expect(kill.status).toBe(200);
      expect(kill.body.message).toMatch(/flattening 1 positions/);
      const [order] = engine().node.oms.openOrders(SYMBOL, 'kill-switch');
      expect(order?.request.quantity).toBe(toFixed(100));
      await print(order as Order);
      expect([order?.status, order?.reasonCode]).toEqual(['FILLED', undefined]);
      // 100.701 − 100 − its fee of 0.1.
      expect(held()).toBe('0.601');
      expect((await call('POST', '/api/v1/risk/resume', { token: ADMIN, body: {} })).status).toBe(200);
      // Only dust held: a second flatten has nothing to sell, rather than an order bound to fail.
      const again = await call<{ message: string }>('POST', '/api/v1/risk/kill', {
        token: TRADER,
        body: { flatten: true, reason: 'drill again' },
      });
      expect(again.body.message).toMatch(/flattening 0 positions/);
      expect(engine().node.oms.openOrders(SYMBOL, 'kill-switch')).toEqual([]);
    });
  },
);
