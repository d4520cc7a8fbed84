import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toFixed } from '../../src/core/Fixed.js';
import { IdGenerator } from '../../src/core/ids.js';
import { ExecutionEngine } from '../../src/execution/ExecutionEngine.js';
import { TestClock } from '../../src/kernel/Clock.js';
import { MessageBus } from '../../src/kernel/MessageBus.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';
import type { SqliteDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { journaledOms } from './support/journaledOms.js';
import type { Harness } from './support/liveHarness.js';
import { SYMBOL, duplicateOrders, startHarness } from './support/liveHarness.js';

const BUY: OrderRequest = {
  symbol: SYMBOL,
  side: 'BUY',
  type: 'MARKET',
  quantity: toFixed('0.3'),
  timeInForce: 'GTC',
  postOnly: false,
  reduceOnly: false,
};

/** One engine incarnation on the database: OMS journaling into SQLite, client on the fake. */
function incarnation(h: Harness, db: SqliteDatabase, now: () => number) {
  const { store, oms, client } = journaledOms(h, db, now);
  oms.connect(client);
  client.setSink((e) => oms.onReport(e));
  return { store, oms, client };
}

describe('unknown outcomes across a restart', () => {
  let h: Harness;
  let dir: string;
  let db: SqliteDatabase;
  let skew = 0;
  const now = (): number => Date.now() + skew;

  beforeEach(async () => {
    h = await startHarness();
    dir = mkdtempSync(join(tmpdir(), 'qts-live-'));
    db = openDatabase(join(dir, 'qts.db'));
  });

  afterEach(async () => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
    await h.close();
  });

  it('sent-not-acknowledged: the restarted engine finds the order by client id and books its fill once', async () => {
    const first = incarnation(h, db, now);
    h.fake.faults.failAfterProcessing('/api/v3/order', 1);
    const o = first.oms.create('s1', BUY);
    first.oms.send(o);
    await first.client.idle();
    expect(o.status).toBe('SUBMITTED');
    // The process dies here; the next one rebuilds from the journal.
    const second = incarnation(h, db, now);
    const restored = second.store.loadOpenOrders();
    expect(restored.map((r) => [r.id, r.status])).toEqual([[o.id, 'SUBMITTED']]);
    for (const r of restored) {
      second.oms.adopt(r);
      second.client.adopt(r);
    }
    await second.client.sync();
    await second.client.sync();
    const after = second.store.load(o.id);
    expect(after?.status).toBe('FILLED');
    expect(after?.events.filter((e) => e.type === 'OrderFilled')).toHaveLength(1);
    expect(duplicateOrders(h.fake)).toEqual([]);
    expect(h.fake.account.ordersCreated(`qts${o.id}`)).toBe(1);
  });

  it('intent journaled but never sent: after the bound the exchange has no such order and it is rejected, not re-sent', async () => {
    const first = incarnation(h, db, now);
    const o = first.oms.create('s1', BUY);
    // Journal SUBMITTED as send() does, but die before the network call.
    first.oms.connect({ venue: 'dead', submit: () => undefined, cancel: () => undefined });
    first.oms.send(o);
    const second = incarnation(h, db, now);
    const [r] = second.store.loadOpenOrders();
    if (!r) throw new Error('no restored order');
    second.oms.adopt(r);
    second.client.adopt(r);
    await second.client.sync();
    expect(r.status).toBe('SUBMITTED');
    skew += 2_001;
    await second.client.sync();
    expect(r.status).toBe('REJECTED');
    expect(second.store.load(o.id)?.reasonCode).toBe('ERR_ORDER_NEVER_REACHED_EXCHANGE');
    expect(h.fake.account.orders('spot')).toEqual([]);
  });
});

describe('fill deduplication (property)', () => {
  it('however often and in whatever order REST, stream and replayed reports repeat trade ids, each is booked once', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 40 }), (tradeIds) => {
        const oms = new ExecutionEngine(new MessageBus(), new TestClock(0), new IdGenerator('Q'));
        oms.connect({ venue: 'x', submit: () => undefined, cancel: () => undefined });
        const o = oms.create('s', { ...BUY, quantity: toFixed('100') });
        oms.send(o);
        for (const id of tradeIds)
          oms.onReport({
            type: 'OrderFilled',
            orderId: o.id,
            strategyId: 's',
            symbol: SYMBOL,
            ts: 0,
            tradeId: String(id),
            side: 'BUY',
            lastQty: toFixed(id),
            lastPx: toFixed('2000'),
            fee: toFixed(0),
            feeCurrency: 'USDT',
            liquidity: 'TAKER',
          });
        const unique = [...new Set(tradeIds)];
        expect(o.filledQty).toBe(toFixed(unique.reduce((a, b) => a + b, 0)));
        expect(oms.duplicateFills).toBe(tradeIds.length - unique.length);
      }),
      { numRuns: 300 },
    );
  });
});
