/**
 * Reconciliation on exchanges whose ccxt `clientOrderId` is not our client id: Gate reports
 * it as sent ("t-qtsQ…"), Deribit carries ours in its own `label` and ccxt maps none. An
 * unmodified ccxt instance talks HTTP to a capture server answering in each exchange's
 * documented shapes (bodies from the recorded fixtures, test/fixtures/exchanges/<id>.json).
 * Our resting order must meet our side's key (no difference), and an orphan of ours must be
 * found and canceled in a way the exchange accepts.
 */
import ccxt from 'ccxt';
import type { Exchange } from 'ccxt';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveReconciler } from '../../../src/app/LiveReconciler.js';
import type { LiveReconcilerOptions } from '../../../src/app/LiveReconciler.js';
import type { AuditSink } from '../../../src/monitor/AuditSink.js';
import { parseFixed } from '../../../src/core/Fixed.js';
import { capabilitiesOf } from '../../../src/exchanges/ccxt/executionCapabilities.js';
import { fetchAccountView } from '../../../src/exchanges/ccxt/fetchAccountView.js';
import { RequestGate } from '../../../src/exchanges/ccxt/RequestGate.js';
import { makeInstrument } from '../../../src/model/Instrument.js';
import { CaptureServer } from './CaptureServer.js';
import type { CannedResponse, CapturedRequest } from './CaptureServer.js';
import type { ExchangeFixture } from './pointCcxtAt.js';
import { loadFixture, pointCcxtAt } from './pointCcxtAt.js';

const CREDS = { apiKey: 'capture-key', secret: 'Y2FwdHVyZS1zZWNyZXQtMDAwMQ==', password: 'capture-pass' };
const PREFIX = 'qts';
/** Resting, journaled: the OMS holds it as Q000001. */
const RESTING = 'qtsQ000001';
/** Ours by its id (our generator's form) but in no journal: a lost database's order. */
const ORPHAN = 'qtsQ0000zz';

interface Venue {
  readonly id: 'gate' | 'deribit';
  readonly symbol: string;
  readonly currency: string;
  /** Exchange order ids of the resting order, the orphan and a manual order (no id of ours). */
  readonly ids: readonly [string, string, string];
  /** The raw open-orders answer for the orders still open. */
  readonly openOrders: (fx: ExchangeFixture, open: ReadonlySet<string>) => unknown;
  readonly balance: { readonly method: string; readonly path: string; readonly body: unknown };
  /** The exchange order id a cancel request names, undefined when it is no cancel. */
  readonly canceled: (r: CapturedRequest) => string | undefined;
  readonly cancelAnswer: (fx: ExchangeFixture) => unknown;
}

const recorded = (fx: ExchangeFixture, method: string, path: string): Record<string, unknown> => {
  const r = fx.responses.find((x) => x.method === method && x.path === path);
  if (r === undefined) throw new Error(`fixture has no ${method} ${path}`);
  return r.body as Record<string, unknown>;
};

const VENUES: readonly Venue[] = [
  {
    id: 'gate',
    symbol: 'BTC/USDT',
    currency: 'USDT',
    ids: ['111', '222', '333'],
    // GET /spot/open_orders lists open orders grouped by pair; "text" is the user id as sent.
    // https://www.gate.io/docs/developers/apiv4/#list-all-open-orders
    openOrders: (fx, open) => {
      const base = recorded(fx, 'POST', '/api/v4/spot/orders');
      const texts: Record<string, string> = { '111': `t-${RESTING}`, '222': `t-${ORPHAN}`, '333': 'web' };
      const orders = [...open].map((id) => ({ ...base, id, text: texts[id] }));
      return [{ currency_pair: 'BTC_USDT', total: orders.length, orders }];
    },
    balance: {
      method: 'GET',
      path: '/api/v4/spot/accounts',
      body: [{ currency: 'USDT', available: '700', locked: '300' }],
    },
    canceled: (r) =>
      r.method === 'DELETE' && r.path.startsWith('/api/v4/spot/orders/')
        ? r.path.split('/').at(-1)
        : undefined,
    cancelAnswer: (fx) => recorded(fx, 'DELETE', '/api/v4/spot/orders/12332324'),
  },
  {
    id: 'deribit',
    symbol: 'BTC/USDC',
    currency: 'USDC',
    ids: ['BTC_USDC-111', 'BTC_USDC-222', 'BTC_USDC-333'],
    // https://docs.deribit.com/#private-get_open_orders_by_instrument (our id in `label`)
    openOrders: (fx, open) => {
      const buy = recorded(fx, 'GET', '/api/v2/private/buy');
      const base = (buy['result'] as Record<string, unknown>)['order'] as Record<string, unknown>;
      const labels: Record<string, string> = {
        'BTC_USDC-111': RESTING,
        'BTC_USDC-222': ORPHAN,
        'BTC_USDC-333': '',
      };
      return { ...buy, result: [...open].map((id) => ({ ...base, order_id: id, label: labels[id] })) };
    },
    balance: {
      method: 'GET',
      path: '/api/v2/private/get_account_summaries',
      body: {
        jsonrpc: '2.0',
        result: {
          summaries: [{ currency: 'USDC', equity: 1000, available_funds: 700, maintenance_margin: 0 }],
        },
      },
    },
    canceled: (r) =>
      r.method === 'GET' && r.path === '/api/v2/private/cancel'
        ? (new URLSearchParams(r.query).get('order_id') ?? '')
        : undefined,
    cancelAnswer: (fx) => recorded(fx, 'GET', '/api/v2/private/cancel'),
  },
];

const exchangeClasses = ccxt as unknown as Record<string, new (config: object) => Exchange>;

/** A capture server playing `v` with the three orders open; a cancel closes the order it names. */
async function venueServer(v: Venue) {
  const fx = loadFixture(v.id);
  const open = new Set(v.ids);
  const server = await CaptureServer.start();
  server.respond((r): CannedResponse | undefined => {
    const canceled = v.canceled(r);
    if (canceled !== undefined) {
      if (!open.delete(canceled)) return { status: 404, body: `no open order ${canceled}` };
      return { body: v.cancelAnswer(fx) };
    }
    if (
      r.method === 'GET' &&
      (r.path === '/api/v4/spot/open_orders' || r.path.endsWith('/get_open_orders_by_instrument'))
    )
      return { body: v.openOrders(fx, open) };
    if (r.method === v.balance.method && r.path === v.balance.path) return { body: v.balance.body };
    const rec = fx.responses.find((x) => x.method === r.method && x.path === r.path);
    return rec === undefined ? undefined : { body: rec.body };
  });
  const Cls = exchangeClasses[v.id];
  if (Cls === undefined) throw new Error(`ccxt has no ${v.id}`);
  const exchange = new Cls({ ...CREDS });
  pointCcxtAt(exchange, server.url, fx);
  return { server, exchange, open };
}

const newGate = () =>
  new RequestGate({ now: Date.now, sleep: () => Promise.resolve(), maxOrders: 50, windowMs: 10_000 });

describe.each(VENUES)('reconciliation with $id client ids', (v) => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('keys open orders by our client id as the execution client reads it', async () => {
    const { server, exchange } = await venueServer(v);
    close = async () => {
      await exchange.close();
      await server.close();
    };
    const codec = capabilitiesOf(v.id)?.clientIds;
    if (codec === undefined) throw new Error(`${v.id} not in the capability map`);
    const view = await fetchAccountView(exchange, newGate(), [makeInstrument({ symbol: v.symbol })], codec);
    expect(new Map(view.openOrders)).toEqual(
      new Map([
        [RESTING, { symbol: v.symbol, venueOrderId: v.ids[0] }],
        [ORPHAN, { symbol: v.symbol, venueOrderId: v.ids[1] }],
        // Someone else's order: "web" is Gate's text for an order placed on the website;
        // Deribit's without a label has no client id at all and keeps its exchange id.
        [v.id === 'gate' ? 'web' : v.ids[2], { symbol: v.symbol, venueOrderId: v.ids[2] }],
      ]),
    );
    expect(view.balances.get(v.currency)).toBe(parseFixed('1000'));
  });

  it('finds our resting order, cancels the orphan by its exchange id, leaves the manual order', async () => {
    const { server, exchange, open } = await venueServer(v);
    close = async () => {
      await exchange.close();
      await server.close();
    };
    const records: { kind: string; data: Readonly<Record<string, unknown>> }[] = [];
    const audit: AuditSink = {
      record: (kind, data) => records.push({ kind, data }),
      query: () => Promise.resolve([]),
    };
    const cash = parseFixed('1000');
    // The node and client as far as a reconciliation pass reads them: one journaled open order.
    const node = {
      bus: { subscribe: () => () => undefined },
      instrument: (s: string) => makeInstrument({ symbol: s }),
      oms: { openOrders: () => [{ id: 'Q000001', symbol: v.symbol }] },
      portfolio: {
        currency: v.currency,
        cash: () => cash,
        positionQty: () => 0n,
        isolatedMarginOf: () => undefined,
        adjustCash: () => {
          throw new Error('cash agrees; no adjustment expected');
        },
      },
      lastPrice: () => undefined,
    };
    const client = {
      sync: () => Promise.resolve(),
      inFlight: () => 0,
      clientIdOf: (id: string) => `${PREFIX}${id}`,
    };
    const reconciler = new LiveReconciler({
      exchange,
      gate: newGate(),
      client,
      node,
      symbols: [v.symbol],
      clientIdPrefix: PREFIX,
      audit,
      log: pino({ level: 'silent' }),
      now: Date.now,
      saveLedger: () => undefined,
    } as unknown as LiveReconcilerOptions);

    expect(await reconciler.run('startup')).toBe(true);
    const diffs = records
      .filter((r) => r.kind === 'reconciliation.difference')
      .map((r) => [r.data['kind'], r.data['key']]);
    expect(diffs).toEqual([['order-only-exchange', ORPHAN]]);
    const cancels = server.requests.map((r) => v.canceled(r)).filter((id) => id !== undefined);
    expect(cancels).toEqual([v.ids[1]]);
    expect([...open]).toEqual([v.ids[0], v.ids[2]]);
    expect(reconciler.component().ready).toBe(true);
  });
});
