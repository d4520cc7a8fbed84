/**
 * Shadow: order events of the engine's start — a cancel resumed from the journal, a kill switch
 * still on — end a strategy's order before the strategy runs. The strategy must still hear of
 * them, after its onStart and before it sees live data, so it stops believing the order works
 * and what it sends in reaction is a real order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import type { Bar } from '../../src/model/Bar.js';
import type { OrderEvent } from '../../src/model/events.js';
import type { OrderView } from '../../src/model/OrderView.js';
import { OrderStore } from '../../src/storage/sqlite/OrderStore.js';
import { RiskStateStore } from '../../src/storage/sqlite/RiskStateStore.js';
import { SqliteStrategyStateStore } from '../../src/storage/sqlite/SqliteStrategyStateStore.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import type * as Registry from '../../src/strategies/registry.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import { syntheticShadowConfig } from './support/syntheticShadowConfig.js';
import { until } from './support/http.js';

vi.mock('../../src/strategies/registry.js', async (importOriginal) => {
  const actual = await importOriginal<typeof Registry>();
  return {
    ...actual,
    // Probe is defined below; the lookup runs only once the test starts an engine.
    findStrategy: (id: string) => (id === Probe.id ? Probe : actual.findStrategy(id)),
  };
});

/** What the probe saw, in order: `start`, and `<event type> <order id>` with when it came. */
let heard: string[] = [];
/** The orders the probe sent in reaction to the end of its working order. */
let reactions: OrderView[] = [];

/**
 * Keeps one limit buy working half the market below, its id in the saved state (`working`),
 * as a grid or a bracket keeps its working orders. When it hears its working order ended it
 * forgets it and lays a new one at the same price.
 */
class Probe extends Strategy<Record<string, never>> {
  static readonly id = 'probe';
  static readonly description = 'test strategy: one working limit buy';
  static readonly paramsSchema = z.object({});

  override onStart(): void {
    super.onStart();
    heard.push('start');
  }

  override onBar(bar: Bar): void {
    if (this.ctx.isWarmingUp || this.ctx.state.get<string>('working') !== undefined) return;
    const buy = this.ctx.buy(bar.symbol, 0.01, { type: 'LIMIT', price: bar.close / 2 });
    if (!buy.isTerminal) this.ctx.state.set('working', buy.id);
  }

  override onOrderUpdate(order: OrderView, event: OrderEvent): void {
    const price = this.ctx.lastPrice(order.symbol);
    heard.push(
      `${event.type} ${order.id}${this.ctx.isWarmingUp ? ' warming' : ''}${price === undefined ? ' unpriced' : ''}`,
    );
    if (event.type !== 'OrderCanceled' || this.ctx.state.get<string>('working') !== order.id) return;
    this.ctx.state.set('working', null);
    const again = this.ctx.buy(order.symbol, 0.01, {
      type: 'LIMIT',
      price: order.request.price,
      tag: 'again',
    });
    reactions.push(again);
    if (!again.isTerminal) this.ctx.state.set('working', again.id);
  }
}

function start(dbPath: string): Promise<TradingRuntime> {
  return TradingRuntime.startShadow(
    syntheticShadowConfig(
      dbPath,
      { id: 'probe', strategy: 'probe', params: {} },
      { risk: { priceBandPct: 0.9 } },
    ),
    { log: pino({ level: 'silent' }), noServices: true, noHttp: true },
  );
}

/** Reads the database on its own connection, closed after. */
function read<T>(dbPath: string, f: (db: ReturnType<typeof openDatabase>) => T): T {
  const db = openDatabase(dbPath);
  try {
    return f(db);
  } finally {
    db.close();
  }
}

describe('shadow: order events of the start reach the strategy once it runs', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /**
   * A first run in which the probe lays its buy; `before` runs on the engine before the stop.
   * Returns the database and the buy's id.
   */
  async function firstRun(before: (rt: TradingRuntime, orderId: string) => void): Promise<[string, string]> {
    heard = [];
    reactions = [];
    const dir = mkdtempSync(join(tmpdir(), 'qts-held-events-'));
    dirs.push(dir);
    const dbPath = join(dir, 'trading.db');
    const rt = await start(dbPath);
    let orderId = '';
    try {
      await until(() => rt.node.oms.openOrders(undefined, 'probe').length > 0, 'the probe to lay its buy');
      orderId = rt.node.oms.openOrders(undefined, 'probe')[0]?.id ?? '';
      before(rt, orderId);
    } finally {
      await rt.stop();
    }
    expect(read(dbPath, (db) => new OrderStore(db).get(orderId)?.status)).toBe('ACCEPTED');
    heard = [];
    reactions = [];
    return [dbPath, orderId];
  }

  it('a cancel resumed at start: the strategy hears OrderCanceled after its start and lays its buy again', async () => {
    const [dbPath, orderId] = await firstRun((rt, id) => {
      // The venue holds its answer (a real exchange's is still on the wire) when the engine stops.
      rt.venue.client.cancel = () => undefined;
      rt.node.oms.cancel(id, 'canceled via API by alice');
    });

    const rt = await start(dbPath);
    try {
      // The journal's cancel was asked again before the strategy started…
      expect(rt.node.oms.order(orderId)?.status).toBe('CANCELED');
      // …and the strategy hears of it once it runs, on a live price.
      await until(
        () => heard.some((h) => h.startsWith(`OrderCanceled ${orderId}`)),
        'the probe to hear the cancel',
      );
      expect(heard[0]).toBe('start');
      expect(heard.slice(1, 2)).toEqual([`OrderCanceled ${orderId}`]);
      // Its reaction is a real order, resting at the venue, and its saved state names it.
      const again = reactions[0];
      expect([again?.status, again?.request.tag]).toEqual(['ACCEPTED', 'again']);
      expect(rt.node.oms.openOrders(undefined, 'probe').map((o) => o.id)).toEqual([again?.id]);
      expect(heard.slice(2, 5)).toEqual([
        `OrderInitialized ${again?.id}`,
        `OrderSubmitted ${again?.id}`,
        `OrderAccepted ${again?.id}`,
      ]);
    } finally {
      await rt.stop();
    }
    const working = read(dbPath, (db) => new SqliteStrategyStateStore(db, 'probe').get<string>('working'));
    expect(working).toBe(reactions[0]?.id);
  }, 60_000);

  it('a kill switch still on at start: the strategy hears its buy canceled, and its new buy is denied by the halt', async () => {
    const [dbPath, orderId] = await firstRun(() => undefined);
    // The kill switch was engaged (its record saved) while the buy was still open.
    read(dbPath, (db) =>
      new RiskStateStore(db).save({
        state: 'HALTED',
        reason: 'kill switch (by alice)',
        since: 0,
        killSwitch: true,
      }),
    );

    const rt = await start(dbPath);
    try {
      expect(rt.node.oms.order(orderId)?.status).toBe('CANCELED');
      await until(
        () => heard.some((h) => h.startsWith(`OrderCanceled ${orderId}`)),
        'the probe to hear the cancel',
      );
      expect(heard.slice(0, 3)).toEqual([
        'start',
        `OrderCancelRequested ${orderId}`,
        `OrderCanceled ${orderId}`,
      ]);
      // The halt judges the reaction, as it would any order: denied with the halt's code, journaled.
      const again = reactions[0];
      expect([again?.status, again?.reasonCode]).toEqual(['DENIED', 'ERR_RISK_HALTED']);
      expect(rt.node.oms.openOrders(undefined, 'probe')).toEqual([]);
    } finally {
      await rt.stop();
    }
    // The strategy no longer believes the canceled buy works.
    const working = read(dbPath, (db) =>
      new SqliteStrategyStateStore(db, 'probe').get<string | null>('working'),
    );
    expect(working).toBeNull();
  }, 60_000);
});
