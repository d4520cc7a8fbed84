/**
 * For each supported exchange besides Binance (which has a full fake): an unmodified ccxt
 * instance with keys creates, cancels and fetches an order against a local capture server.
 * Each request must arrive in that exchange's documented format (method, path, where our
 * client order id goes, auth headers, a signature that recomputes), and the exchange's
 * recorded answers (test/fixtures/exchanges/<id>.json) must map into our model.
 */
import ccxt from 'ccxt';
import type { Exchange, Order } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientIdCodec } from '../../../src/exchanges/ccxt/clientIdQuirks.js';
import { capabilitiesOf } from '../../../src/exchanges/ccxt/executionCapabilities.js';
import { CaptureServer, header } from './CaptureServer.js';
import type { CapturedRequest } from './CaptureServer.js';
import { expectOrderMapping } from './expectOrderMapping.js';
import type { ExpectedOrder } from './expectOrderMapping.js';
import { fixtureResponder, loadFixture, pointCcxtAt } from './pointCcxtAt.js';
import { kucoinPassphrase, SIGNATURE_SCHEMES } from './signatureSchemes.js';
import type { Credentials } from './signatureSchemes.js';

/** Our client order id for every exchange (alphanumeric: the strictest rule, OKX's, allows it). */
const OURS = 'ours1';
const CREDS: Credentials = {
  apiKey: 'capture-key',
  secret: 'Y2FwdHVyZS1zZWNyZXQtMDAwMQ==',
  password: 'capture-pass',
};

interface Expectation {
  readonly method: string;
  readonly path: string;
}

interface CaptureSpec {
  readonly id: string;
  readonly symbol: string;
  /** Whether the create answer already carries our id (Kraken's AddOrder answers only a txid). */
  readonly idInCreateAnswer: boolean;
  readonly fetchParams?: Record<string, unknown>;
  /** Requests ccxt makes once before trading (account-mode detection), answered from the fixture. */
  readonly setup: readonly Expectation[];
  readonly create: Expectation & {
    readonly clientId: (r: CapturedRequest) => unknown;
    readonly sentAs: string;
  };
  readonly cancel: Expectation & { readonly names: (r: CapturedRequest) => unknown };
  readonly fetch: Expectation & { readonly names: (r: CapturedRequest) => unknown };
  /** Auth headers that must be present on every private request, with their value when fixed. */
  readonly authHeaders: Readonly<Record<string, string | undefined>>;
  readonly created: Partial<ExpectedOrder>;
  readonly fetched: ExpectedOrder;
}

const json = (r: CapturedRequest): Record<string, unknown> => JSON.parse(r.body) as Record<string, unknown>;
const query = (r: CapturedRequest): URLSearchParams => new URLSearchParams(r.query);
const form = (r: CapturedRequest): URLSearchParams => new URLSearchParams(r.body);

/** Every fixture's fetch answer: the buy closed, 0.01 filled at 29950.1, with the fee where ccxt maps one. */
const closedFill = (
  venueOrderId: string,
  clientOrderId: string | undefined,
  fee: Pick<ExpectedOrder, 'feeCost' | 'feeCurrency'> = {},
): ExpectedOrder => ({
  venueOrderId,
  clientOrderId,
  state: 'closed',
  filled: '0.01',
  average: '29950.1',
  ...fee,
});

const SPECS: readonly CaptureSpec[] = [
  {
    id: 'okx',
    symbol: 'BTC/USDT',
    idInCreateAnswer: true,
    setup: [],
    // ccxt's default for OKX places single orders through batch-orders (a wider rate limit).
    create: {
      method: 'POST',
      path: '/api/v5/trade/batch-orders',
      clientId: (r) => (JSON.parse(r.body) as Record<string, unknown>[])[0]?.['clOrdId'],
      sentAs: OURS,
    },
    cancel: { method: 'POST', path: '/api/v5/trade/cancel-order', names: (r) => json(r)['ordId'] },
    fetch: { method: 'GET', path: '/api/v5/trade/order', names: (r) => query(r).get('ordId') },
    authHeaders: {
      'OK-ACCESS-KEY': CREDS.apiKey,
      'OK-ACCESS-PASSPHRASE': CREDS.password,
      'OK-ACCESS-TIMESTAMP': undefined,
    },
    created: { venueOrderId: '312269865356374016', clientOrderId: OURS },
    fetched: closedFill('312269865356374016', OURS, { feeCost: '0.00001', feeCurrency: 'BTC' }),
  },
  {
    id: 'bybit',
    symbol: 'BTC/USDT',
    idInCreateAnswer: true,
    // ccxt bybit fetchOrder refuses without this acknowledgement (it only sees the last 500 orders).
    fetchParams: { acknowledged: true },
    setup: [
      { method: 'GET', path: '/v5/user/query-api' },
      { method: 'GET', path: '/v5/account/info' },
    ],
    create: {
      method: 'POST',
      path: '/v5/order/create',
      clientId: (r) => json(r)['orderLinkId'],
      sentAs: OURS,
    },
    cancel: { method: 'POST', path: '/v5/order/cancel', names: (r) => json(r)['orderId'] },
    fetch: { method: 'GET', path: '/v5/order/realtime', names: (r) => query(r).get('orderId') },
    authHeaders: {
      'X-BAPI-API-KEY': CREDS.apiKey,
      'X-BAPI-TIMESTAMP': undefined,
      'X-BAPI-RECV-WINDOW': undefined,
    },
    created: { venueOrderId: '1321003749386327552', clientOrderId: OURS },
    // ccxt reports no order-level fee for Bybit spot (cumExecFee has no currency): fees come from trades.
    fetched: closedFill('1321003749386327552', OURS),
  },
  {
    id: 'gate',
    symbol: 'BTC/USDT',
    idInCreateAnswer: true,
    setup: [{ method: 'GET', path: '/api/v4/account/detail' }],
    // Gate requires user order ids to start with "t-"; ccxt adds it and does not strip it back.
    create: {
      method: 'POST',
      path: '/api/v4/spot/orders',
      clientId: (r) => json(r)['text'],
      sentAs: `t-${OURS}`,
    },
    cancel: {
      method: 'DELETE',
      path: '/api/v4/spot/orders/12332324',
      names: (r) => r.path.split('/').at(-1),
    },
    fetch: { method: 'GET', path: '/api/v4/spot/orders/12332324', names: (r) => r.path.split('/').at(-1) },
    authHeaders: { KEY: CREDS.apiKey, Timestamp: undefined },
    created: { venueOrderId: '12332324', clientOrderId: `t-${OURS}`, state: 'open' },
    // Gate's fee, GT fee and rebate land in ccxt's `fees` list, not `fee`: fees come from trades.
    fetched: closedFill('12332324', `t-${OURS}`),
  },
  {
    id: 'bitget',
    symbol: 'BTC/USDT',
    idInCreateAnswer: true,
    // ccxt probes the unified-account API; a classic account is refused there and ccxt uses v2.
    setup: [{ method: 'GET', path: '/api/v3/account/settings' }],
    create: {
      method: 'POST',
      path: '/api/v2/spot/trade/place-order',
      clientId: (r) => json(r)['clientOid'],
      sentAs: OURS,
    },
    cancel: { method: 'POST', path: '/api/v2/spot/trade/cancel-order', names: (r) => json(r)['orderId'] },
    fetch: { method: 'GET', path: '/api/v2/spot/trade/orderInfo', names: (r) => query(r).get('orderId') },
    authHeaders: {
      'ACCESS-KEY': CREDS.apiKey,
      'ACCESS-PASSPHRASE': CREDS.password,
      'ACCESS-TIMESTAMP': undefined,
    },
    created: { venueOrderId: '1001', clientOrderId: OURS },
    fetched: closedFill('1001', OURS, { feeCost: '0.00001', feeCurrency: 'BTC' }),
  },
  {
    id: 'kucoin',
    symbol: 'BTC/USDT',
    idInCreateAnswer: true,
    setup: [{ method: 'GET', path: '/api/ua/v1/account/mode' }],
    create: { method: 'POST', path: '/api/v1/orders', clientId: (r) => json(r)['clientOid'], sentAs: OURS },
    cancel: {
      method: 'DELETE',
      path: '/api/v1/orders/670fd33bf9406e0007ab3945',
      names: (r) => r.path.split('/').at(-1),
    },
    fetch: {
      method: 'GET',
      path: '/api/v1/orders/670fd33bf9406e0007ab3945',
      names: (r) => r.path.split('/').at(-1),
    },
    authHeaders: {
      'KC-API-KEY': CREDS.apiKey,
      'KC-API-KEY-VERSION': '2',
      'KC-API-PASSPHRASE': kucoinPassphrase(CREDS),
      'KC-API-TIMESTAMP': undefined,
    },
    created: { venueOrderId: '670fd33bf9406e0007ab3945', clientOrderId: OURS },
    fetched: closedFill('670fd33bf9406e0007ab3945', OURS, { feeCost: '0.299501', feeCurrency: 'USDT' }),
  },
  {
    id: 'kraken',
    symbol: 'BTC/USD',
    idInCreateAnswer: false,
    setup: [],
    create: {
      method: 'POST',
      path: '/0/private/AddOrder',
      clientId: (r) => form(r).get('cl_ord_id'),
      sentAs: OURS,
    },
    cancel: { method: 'POST', path: '/0/private/CancelOrder', names: (r) => form(r).get('txid') },
    fetch: { method: 'POST', path: '/0/private/QueryOrders', names: (r) => form(r).get('txid') },
    authHeaders: { 'API-Key': CREDS.apiKey },
    // Kraken's AddOrder answers only the txid: ccxt cannot know our id from it.
    created: { venueOrderId: 'OUF4EM-FRGI2-MQMWZD' },
    fetched: closedFill('OUF4EM-FRGI2-MQMWZD', OURS, { feeCost: '0.7787' }),
  },
  {
    id: 'deribit',
    symbol: 'BTC/USDC',
    // ccxt does not map clientOrderId for Deribit: our id goes in Deribit's own `label`.
    idInCreateAnswer: true,
    setup: [],
    create: {
      method: 'GET',
      path: '/api/v2/private/buy',
      clientId: (r) => query(r).get('label'),
      sentAs: OURS,
    },
    cancel: { method: 'GET', path: '/api/v2/private/cancel', names: (r) => query(r).get('order_id') },
    fetch: { method: 'GET', path: '/api/v2/private/get_order_state', names: (r) => query(r).get('order_id') },
    authHeaders: {},
    created: { venueOrderId: 'BTC_USDC-1234', state: 'open' },
    fetched: closedFill('BTC_USDC-1234', undefined),
  },
];

const exchangeClasses = ccxt as unknown as Record<string, new (config: object) => Exchange>;

/** The live adapter's client-id codec of an exchange. */
function codec(id: string): ClientIdCodec {
  const caps = capabilitiesOf(id);
  if (caps === undefined) throw new Error(`${id} is not in the capability map`);
  return caps.clientIds;
}

describe.each(SPECS)('capture: ccxt $id signed order requests', (spec) => {
  let server: CaptureServer;
  let ex: Exchange;
  let created: Order;
  let canceled: Order;
  let fetched: Order;

  beforeAll(async () => {
    server = await CaptureServer.start();
    const fixture = loadFixture(spec.id);
    server.respond(fixtureResponder(fixture));
    const Cls = exchangeClasses[spec.id];
    if (Cls === undefined) throw new Error(`ccxt has no ${spec.id}`);
    ex = new Cls({ ...CREDS });
    pointCcxtAt(ex, server.url, fixture);
    // Our id goes out the way the live adapter sends it (src/exchanges/ccxt/clientIdQuirks.ts).
    created = await ex.createOrder(spec.symbol, 'limit', 'buy', 0.01, 30000, codec(spec.id).create(OURS));
    canceled = await ex.cancelOrder(String(created.id), spec.symbol);
    fetched = await ex.fetchOrder(String(created.id), spec.symbol, spec.fetchParams ?? {});
  });

  afterAll(async () => {
    await ex?.close();
    await server?.close();
  });

  const only = (e: Expectation): CapturedRequest => {
    const hits = server.requests.filter((r) => r.method === e.method && r.path === e.path);
    expect(
      hits.length,
      `${e.method} ${e.path} (got ${server.requests.map((r) => `${r.method} ${r.path}`).join(', ')})`,
    ).toBe(1);
    return hits[0] as CapturedRequest;
  };

  it('sends exactly the documented requests, in order', () => {
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(
      [...spec.setup, spec.create, spec.cancel, spec.fetch].map((e) => `${e.method} ${e.path}`),
    );
  });

  it("puts our client order id in the exchange's own field", () => {
    expect(spec.create.clientId(only(spec.create))).toBe(spec.create.sentAs);
  });

  it('finds our client order id again in the recorded answers (send → answer → our id)', () => {
    const read = (o: Order): string | undefined => codec(spec.id).read(o);
    expect(read(fetched)).toBe(OURS);
    expect(read(created)).toBe(spec.idInCreateAnswer ? OURS : undefined);
    // What reconciliation and the stream lookup key orders by: ours, with our prefix intact.
    expect(read({ ...fetched, clientOrderId: undefined, info: {} })).toBeUndefined();
  });

  it('cancels and fetches by the exchange order id it was given', () => {
    expect(spec.cancel.names(only(spec.cancel))).toBe(String(created.id));
    expect(spec.fetch.names(only(spec.fetch))).toBe(String(created.id));
  });

  it('signs every private request with the documented headers and a signature that recomputes', () => {
    const check = SIGNATURE_SCHEMES[spec.id];
    if (check === undefined) throw new Error(`no signature scheme for ${spec.id}`);
    for (const r of server.requests) {
      for (const [name, value] of Object.entries(spec.authHeaders)) {
        const got = header(r, name);
        expect(got, `${name} on ${r.path}`).toBeDefined();
        if (value !== undefined) expect(got, `${name} on ${r.path}`).toBe(value);
      }
      const { expected, sent } = check(r, CREDS);
      expect(sent, `signature of ${r.method} ${r.path}`).toBe(expected);
    }
  });

  it('maps the recorded answers into our model', () => {
    expect(created.id).toBe(spec.created.venueOrderId);
    if ('clientOrderId' in spec.created) expect(created.clientOrderId).toBe(spec.created.clientOrderId);
    if (spec.created.state !== undefined) expect(created.status).toBe(spec.created.state);
    expect(String(canceled.id ?? created.id)).toBe(spec.created.venueOrderId);
    expectOrderMapping(fetched, spec.fetched);
    if (spec.id === 'deribit') expect((fetched.info as Record<string, unknown>)['label']).toBe(OURS);
  });
});

// Gate and Kraken carry our id their own way: the lookup that resolves an order of unknown
// outcome must ask for it in that way, and find our id in the recorded answer.
const LOOKUPS: readonly { id: string; symbol: string; asked: readonly string[] }[] = [
  // ccxt first reads the account mode (classic or unified) once.
  {
    id: 'gate',
    symbol: 'BTC/USDT',
    asked: ['GET /api/v4/account/detail', 'GET /api/v4/spot/orders/t-ours1'],
  },
  { id: 'kraken', symbol: 'BTC/USD', asked: ['POST /0/private/OpenOrders', 'POST /0/private/ClosedOrders'] },
];

describe.each(LOOKUPS)('capture: $id lookup by our client order id', (spec) => {
  it("asks in the exchange's own terms and finds our order", async () => {
    const server = await CaptureServer.start();
    const fixture = loadFixture(spec.id);
    server.respond(fixtureResponder(fixture));
    const Cls = exchangeClasses[spec.id];
    if (Cls === undefined) throw new Error(`ccxt has no ${spec.id}`);
    const ex = new Cls({ ...CREDS });
    try {
      pointCcxtAt(ex, server.url, fixture);
      const found = await codec(spec.id).fetch(ex, spec.symbol, OURS);
      expect(codec(spec.id).read(found)).toBe(OURS);
      expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(spec.asked);
      if (spec.id === 'kraken') for (const r of server.requests) expect(form(r).get('cl_ord_id')).toBe(OURS);
    } finally {
      await ex.close();
      await server.close();
    }
  });
});
