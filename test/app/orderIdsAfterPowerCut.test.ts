/**
 * Shadow (the same node as live): a power cut with `synchronous = NORMAL` may take the journal's
 * last committed orders. The next run must not number its orders from what the journal kept:
 * those client order ids went out, and an exchange would refuse them as duplicates or, looked
 * up by client id, answer with the old order and its fills. Ids are reserved durably ahead of
 * use (OrderIdReservations), so the restart resumes after the reservation.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { toFixed } from '../../src/core/Fixed.js';
import type { OrderRequest } from '../../src/model/OrderRequest.js';
import { ORDER_ID_BLOCK, OrderIdReservations } from '../../src/storage/sqlite/OrderIdReservations.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { loggedShadowConfig, startLoggedShadow } from './support/startLoggedShadow.js';

const restingBuy = (): OrderRequest => ({
  symbol: 'BTC/USDT',
  side: 'BUY',
  type: 'LIMIT',
  quantity: toFixed('0.001'),
  price: toFixed('1000'),
  timeInForce: 'GTC',
  postOnly: false,
  reduceOnly: false,
});

describe('order ids after a power cut took the journal’s last orders', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('the restart numbers after every id the last run could have sent', async () => {
    const { rt, dir } = await startLoggedShadow('sma-cross');
    dirs.push(dir);
    const sent: string[] = [];
    try {
      for (let i = 0; i < 5; i++) sent.push(rt.node.submit('manual', restingBuy()).id);
    } finally {
      await rt.stop();
    }
    // The power cut: the last three orders' commits never reached the disk.
    const path = join(dir, 'trading.db');
    const db = openDatabase(path);
    const lost = sent.slice(2);
    for (const id of lost) {
      db.prepare('DELETE FROM fills WHERE order_id = ?').run(id);
      db.prepare('DELETE FROM order_events WHERE order_id = ?').run(id);
      db.prepare('DELETE FROM orders WHERE id = ?').run(id);
    }
    expect(new OrderIdReservations(db).reservedTo('Q')).toBe(ORDER_ID_BLOCK);
    db.close();

    const config = loggedShadowConfig(path, 'sma-cross');
    const again = await TradingRuntime.startShadow(config, {
      log: pino({ level: 'silent' }),
      noServices: true,
      noHttp: true,
    });
    try {
      const next = again.node.submit('manual', restingBuy()).id;
      expect(sent).not.toContain(next);
      // Past the reserved block (the strategy may have placed orders of its own meanwhile).
      expect(parseInt(next.slice(1), 36)).toBeGreaterThan(ORDER_ID_BLOCK);
    } finally {
      await again.stop();
    }
  });

  it('a reservation covers whole blocks, never goes back, and leaves the connection at its safety level', () => {
    const db = openDatabase(':memory:');
    const ids = new OrderIdReservations(db);
    expect(ids.reservedTo('Q')).toBe(0);
    expect(ids.reserve('Q', 1)).toBe(ORDER_ID_BLOCK);
    expect(ids.reserve('Q', ORDER_ID_BLOCK + 1)).toBe(2 * ORDER_ID_BLOCK);
    ids.reserve('Q', 3);
    expect([ids.reservedTo('Q'), ids.reservedTo('X')]).toEqual([2 * ORDER_ID_BLOCK, 0]);
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    db.close();
  });
});
