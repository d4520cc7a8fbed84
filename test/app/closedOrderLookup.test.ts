/**
 * Shadow, restarted on the same database: the OMS is given only the journal's open orders,
 * yet a strategy still finds by id (ctx.order) its own order that ended in the previous run,
 * rebuilt from the SQLite journal with how it ended.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import type { Bar } from '../../src/model/Bar.js';
import type { OrderView } from '../../src/model/OrderView.js';
import { OrderStore } from '../../src/storage/sqlite/OrderStore.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import type * as Registry from '../../src/strategies/registry.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import { syntheticShadowConfig } from './support/syntheticShadowConfig.js';
import { until } from './support/http.js';

vi.mock('../../src/strategies/registry.js', async (importOriginal) => {
  const actual = await importOriginal<typeof Registry>();
  return {
    ...actual,
    // Keeper is defined below; the lookup runs only once the test starts an engine.
    findStrategy: (id: string) => (id === Keeper.id ? Keeper : actual.findStrategy(id)),
  };
});

/** What ctx.order answered at onStart for the saved id, and for an id nobody made. */
interface AtStart {
  readonly saved: string | undefined;
  readonly found: OrderView | undefined;
  readonly unknown: OrderView | undefined;
}
let atStart: AtStart | undefined;
/** Read through a call: the engine sets it, which the test's control flow cannot see. */
const seenAtStart = (): AtStart | undefined => atStart;

/** Lays one limit buy half the market below and saves its id, as a grid saves its rungs'. */
class Keeper extends Strategy<Record<string, never>> {
  static readonly id = 'keeper';
  static readonly description = 'test strategy: one saved limit buy';
  static readonly paramsSchema = z.object({});

  override onStart(): void {
    super.onStart();
    const saved = this.ctx.state.get<string>('working');
    atStart = {
      saved,
      found: saved === undefined ? undefined : this.ctx.order(saved),
      unknown: this.ctx.order('Q-nobody'),
    };
  }

  override onBar(bar: Bar): void {
    if (this.ctx.isWarmingUp || this.ctx.state.get<string>('working') !== undefined) return;
    const buy = this.ctx.buy(bar.symbol, 0.01, { type: 'LIMIT', price: bar.close / 2 });
    if (!buy.isTerminal) this.ctx.state.set('working', buy.id);
  }
}

function start(dbPath: string): Promise<TradingRuntime> {
  return TradingRuntime.startShadow(
    syntheticShadowConfig(
      dbPath,
      { id: 'keeper', strategy: 'keeper', params: {} },
      // The fat-finger band would deny a buy that far from the market.
      { risk: { priceBandPct: 0.9 } },
    ),
    { log: pino({ level: 'silent' }), noServices: true, noHttp: true },
  );
}

describe('shadow restart: ctx.order reads the journal', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('finds the order canceled in the previous run, which the OMS no longer holds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-closed-lookup-'));
    dirs.push(dir);
    const dbPath = join(dir, 'trading.db');

    atStart = undefined;
    const first = await start(dbPath);
    let orderId = '';
    try {
      expect(seenAtStart()).toEqual({ saved: undefined, found: undefined, unknown: undefined });
      await until(() => first.node.oms.openOrders(undefined, 'keeper').length > 0, 'the buy to rest');
      orderId = first.node.oms.openOrders(undefined, 'keeper')[0]?.id ?? '';
      first.node.oms.cancel(orderId, 'canceled via API by alice');
      await until(() => first.node.oms.order(orderId)?.status === 'CANCELED', 'the cancel');
    } finally {
      await first.stop();
    }
    const db = openDatabase(dbPath);
    try {
      expect(new OrderStore(db).get(orderId)?.status).toBe('CANCELED');
    } finally {
      db.close();
    }

    atStart = undefined;
    const rt = await start(dbPath);
    try {
      // Only open orders were restored: the canceled one is not in the OMS…
      expect(rt.node.oms.order(orderId)).toBeUndefined();
      // …yet the strategy found it at its start, from the journal, as it ended.
      const seen = seenAtStart();
      expect(seen?.saved).toBe(orderId);
      const found = seen?.found;
      expect([found?.id, found?.strategyId, found?.status, found?.reason]).toEqual([
        orderId,
        'keeper',
        'CANCELED',
        'canceled via API by alice',
      ]);
      expect(found?.events.at(-1)?.type).toBe('OrderCanceled');
      expect(seen?.unknown).toBeUndefined();
    } finally {
      await rt.stop();
    }
  }, 60_000);
});
