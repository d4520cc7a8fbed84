/**
 * One engine incarnation of the live tests: an OMS journaling into SQLite, with a ccxt client on
 * the fake exchange (prefix `qts`, 100 orders/s, unknown outcomes resolved within 2 s). A
 * restart is a second incarnation on the same database.
 */
import { rethrowReportFault } from './liveHarness.js';
import { IdGenerator } from '../../../src/core/ids.js';
import type { CcxtExecutionClientOptions } from '../../../src/exchanges/ccxt/CcxtExecutionClient.js';
import { CcxtExecutionClient } from '../../../src/exchanges/ccxt/CcxtExecutionClient.js';
import { RequestGate } from '../../../src/exchanges/ccxt/RequestGate.js';
import { ExecutionEngine } from '../../../src/execution/ExecutionEngine.js';
import { TestClock } from '../../../src/kernel/Clock.js';
import { MessageBus } from '../../../src/kernel/MessageBus.js';
import { OrderStore } from '../../../src/storage/sqlite/OrderStore.js';
import type { SqliteDatabase } from '../../../src/storage/sqlite/openDatabase.js';
import { openDatabase } from '../../../src/storage/sqlite/openDatabase.js';
import type { Order } from '../../../src/model/Order.js';
import type { OrderRequest } from '../../../src/model/OrderRequest.js';
import type { Harness } from './liveHarness.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function journaledOms(
  h: Harness,
  db: SqliteDatabase,
  now: () => number,
  onProblem?: CcxtExecutionClientOptions['onProblem'],
): { store: OrderStore; oms: ExecutionEngine; client: CcxtExecutionClient } {
  const store = new OrderStore(db);
  const oms = new ExecutionEngine(new MessageBus(), new TestClock(0), new IdGenerator('Q'), store.journal);
  const client = new CcxtExecutionClient({
    onReportFault: rethrowReportFault,
    exchange: h.exchange,
    capabilities: h.capabilities,
    clientIdPrefix: 'qts',
    gate: new RequestGate({ now, sleep, maxOrders: 100, windowMs: 1000 }),
    now,
    resolveWithinMs: 2_000,
    ...(onProblem === undefined ? {} : { onProblem }),
  });
  return { store, oms, client };
}

/**
 * A last life of the engine on `dbPath`: `request` journaled, sent and acknowledged by the
 * exchange, then the process gone (the database closed, nothing canceled). Returns the order.
 */
export async function journalSentOrder(
  h: Harness,
  dbPath: string,
  strategyId: string,
  request: OrderRequest,
): Promise<Order> {
  const db = openDatabase(dbPath);
  try {
    const { oms, client } = journaledOms(h, db, Date.now);
    oms.connect(client);
    client.setSink((e) => oms.onReport(e));
    const o = oms.create(strategyId, request);
    oms.send(o);
    await client.idle();
    await client.sync();
    return o;
  } finally {
    db.close();
  }
}
