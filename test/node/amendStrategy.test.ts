/**
 * A strategy amends its own resting limit through ctx.amend on the backtest kernel (node +
 * simulated venue): it fills at the new price, hears OrderAmended first, and a refused amend
 * comes back as an answer with a code, not an exception.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toFixed } from '../../src/core/Fixed.js';
import type { Bar } from '../../src/model/Bar.js';
import type { OrderEvent } from '../../src/model/events.js';
import type { OrderView } from '../../src/model/OrderView.js';
import type { AmendOutcome } from '../../src/model/OrderAmend.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import { minuteBar, simNode } from './support/simNode.js';

const MIN = 60_000;
const SYM = 'BTC/USDT';
const bar = (i: number, l: number, c: number): Bar => minuteBar(i, c, c + 1, l, c, SYM);

/** Bids far below on bar 0, moves the bid up on bar 2 (and tries a few bad amends). */
class Chaser extends Strategy<Record<string, never>> {
  static readonly id = 'chaser';
  static readonly description = 'test strategy';
  static readonly paramsSchema = z.object({});
  static heard: string[] = [];
  static answers: AmendOutcome[] = [];
  private bid: OrderView | undefined;
  override onBar(b: Bar): void {
    if (b.ts === 0) this.bid = this.ctx.buy(SYM, 1, { type: 'LIMIT', price: 80 });
    if (b.ts === 2 * MIN && this.bid) {
      const amend = this.ctx.amend?.bind(this.ctx);
      if (!amend) throw new Error('the engine context implements amend');
      Chaser.answers.push(
        amend(this.bid.id, { quantity: 'lots' }),
        amend(this.bid.id, { quantity: 2 }),
        amend('Q-other', { price: 90 }),
        amend(this.bid.id, { price: '97.5', quantity: '0.5' }),
      );
    }
  }
  override onOrderUpdate(o: OrderView, e: OrderEvent): void {
    Chaser.heard.push(`${e.type}${e.type === 'OrderFilled' ? `@${e.lastPx}` : ''}`);
  }
}

describe('ctx.amend on the backtest kernel', () => {
  it('moves a resting bid, which then fills at the new price and size', () => {
    Chaser.heard = [];
    Chaser.answers = [];
    const { node, feed } = simNode({ symbol: SYM });
    node.registerFeed(SYM, '1m');
    node.addStrategy({ id: 'chaser', strategyClass: Chaser, params: {}, symbols: [SYM], timeframe: '1m' });
    node.start();
    // Lows stay above 80 throughout, and reach 97 only after the amend.
    for (const [i, low, close] of [
      [0, 99, 100],
      [1, 98, 100],
      [2, 98, 100],
      [3, 97, 99],
    ] as const) {
      feed(bar(i, low, close));
    }
    expect(Chaser.answers.map((a) => (a.status === 'REJECTED' ? a.code : a.status))).toEqual([
      'ERR_INVALID_DECIMAL',
      'ERR_AMEND_QUANTITY',
      'ERR_ORDER_NOT_FOUND',
      'AMENDED',
    ]);
    expect(Chaser.heard).toEqual([
      'OrderInitialized',
      'OrderSubmitted',
      'OrderAccepted',
      'OrderAmendRequested',
      'OrderAmended',
      `OrderFilled@${toFixed('97.5')}`,
    ]);
    expect(node.portfolio.positionQty(SYM)).toBe(toFixed('0.5'));
    const [order] = node.oms.openOrders();
    expect(order).toBeUndefined();
  });
});
