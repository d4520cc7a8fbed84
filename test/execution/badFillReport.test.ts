/**
 * A fill report the ledger cannot book (price or quantity not above zero) is refused by the
 * OMS before it changes the order: the order, its journal (a real SQLite file) and the
 * account stay as they were, and the venue's later real fill still books.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ZERO, toFixed } from '../../src/core/Fixed.js';
import { isQtsError } from '../../src/core/QtsError.js';
import { ORDER_EVENTS } from '../../src/kernel/topics.js';
import type { OrderFilled } from '../../src/model/events.js';
import { OrderStore } from '../../src/storage/sqlite/OrderStore.js';
import { tempDb } from '../storage/tempDb.js';
import { minuteBar, simNode } from '../node/support/simNode.js';

const SYM = 'BTC/USDT';
const dbs: ReturnType<typeof tempDb>[] = [];
afterEach(() => {
  for (const d of dbs.splice(0)) d.remove();
});

function report(orderId: string, tradeId: string, qty: string, px: string): Omit<OrderFilled, 'eventId'> {
  return {
    type: 'OrderFilled',
    orderId,
    strategyId: 's',
    symbol: SYM,
    ts: 120_000,
    tradeId,
    side: 'BUY',
    lastQty: toFixed(qty),
    lastPx: toFixed(px),
    fee: toFixed('0.001'),
    feeCurrency: 'USDT',
    liquidity: 'MAKER',
  };
}

function codeOf(f: () => void): string | undefined {
  try {
    f();
  } catch (e) {
    return isQtsError(e) ? e.code : `not coded: ${String(e)}`;
  }
  return undefined;
}

describe('OMS: a fill report with a price or quantity not above zero', () => {
  it.each([
    ['a price of zero', '0.5', '0'],
    ['a negative price', '0.5', '-90'],
    ['a quantity of zero', '0', '90'],
  ])(
    'is refused as ERR_ORDER_BAD_FILL with %s, before the order, journal or account change',
    (_, qty, px) => {
      const t = tempDb('bad-fill');
      dbs.push(t);
      const store = new OrderStore(t.open());
      const { node, feed } = simNode({ symbol: SYM, journal: store.journal });
      feed(minuteBar(0, 100, 100, 100, 100, SYM));
      const order = node.submit('s', {
        symbol: SYM,
        side: 'BUY',
        type: 'LIMIT',
        quantity: toFixed(1),
        price: toFixed(90),
        timeInForce: 'GTC',
        postOnly: false,
        reduceOnly: false,
      });
      expect(order.status).toBe('ACCEPTED');
      const journaled = store.events(order.id).length;
      const heard: string[] = [];
      node.bus.subscribe(ORDER_EVENTS, (e) => heard.push(e.type));

      expect(codeOf(() => node.oms.onReport(report(order.id, 'bad-1', qty, px)))).toBe('ERR_ORDER_BAD_FILL');
      expect(order.status).toBe('ACCEPTED');
      expect(order.filledQty).toBe(ZERO);
      expect(order.filledNotional).toBe(ZERO);
      expect(order.hasTrade('bad-1')).toBe(false);
      expect(store.events(order.id)).toHaveLength(journaled);
      expect(heard).toEqual([]);
      expect(node.portfolio.positionQty(SYM)).toBe(ZERO);
      expect(node.oms.openOrders()).toEqual([order]);

      // The venue's real fill afterwards: order and account agree.
      feed(minuteBar(1, 95, 95, 89, 92, SYM));
      expect(order.status).toBe('FILLED');
      expect(node.portfolio.positionQty(SYM)).toBe(order.filledQty);
      expect(heard).toContain('OrderFilled');
    },
  );
});
