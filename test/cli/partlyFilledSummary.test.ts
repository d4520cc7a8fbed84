/**
 * The summary's "not filled" counted an order that filled in part and was then canceled, though
 * part of it traded (its fills are in the report). Under --volume-share, where a market order
 * larger than the bar's share fills over several bars, it now says the partly filled orders
 * apart: canceled or expired, and still open when the data ended. The JSON report's `orders`
 * stays the count of orders filled in full.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { qts } from '../support/runQts.js';

const T0 = Date.UTC(2024, 0, 1);

/**
 * Bar 0: a market buy of 25 and a limit buy at 1 that never fills. Bar 1: the buy of 25 has
 * filled 10 (the bar's share), and is canceled; a buy of 5 follows, filled in full on bar 2.
 * Bar 3: a buy of 50, of which bar 4, the last, fills 10.
 */
const STRATEGY = `
import { Strategy, z } from 'quant-trading-system/strategy';

export default class PartThenCancel extends Strategy {
  static id = 'part-then-cancel';
  static description = 'a market buy canceled once partly filled';
  static paramsSchema = z.object({});
  bars = 0;
  onBar(bar) {
    const n = this.bars++;
    if (n === 0) {
      this.ctx.buy(bar.symbol, 25);
      this.ctx.buy(bar.symbol, 1, { type: 'LIMIT', price: 1 });
    } else if (n === 1) {
      for (const o of this.ctx.openOrders(bar.symbol)) if (o.filledQty > 0n) this.ctx.cancel(o.id);
      this.ctx.buy(bar.symbol, 5);
    } else if (n === 3) {
      this.ctx.buy(bar.symbol, 50);
    }
  }
}
`;

interface Report {
  orders: number;
  ordersTotal: number;
  ordersDenied: number;
  ordersOpen: number;
  ordersPartlyFilled: number;
  ordersOpenPartlyFilled: number;
  fills: { orderId: string; quantity: number }[];
}

describe('qts backtest summary: orders filled in part', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qts-partly-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says those canceled after a part filled, and those still open with a part filled, apart from the unfilled', () => {
    const data = join(dir, 'ETH_USDT-1m.csv');
    const rows = Array.from({ length: 5 }, (_, i) => `${T0 + i * 60_000},100,101,99,100,1000`);
    writeFileSync(data, `timestamp,open,high,low,close,volume\n${rows.join('\n')}\n`);
    const file = join(dir, 'partThenCancel.mjs');
    writeFileSync(file, STRATEGY);
    const json = join(dir, 'r.json');
    const html = join(dir, 'r.html');
    const r = qts([
      'backtest',
      '--data',
      data,
      '--strategy',
      file,
      '--volume-share',
      '0.01',
      '--no-progress',
      '--json',
      json,
      '--html',
      html,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      'orders filled     1 of 4 (1 partly filled then canceled or expired, 1 partly filled and still open when the data ended, ' +
        '1 not filled: 0 denied by risk, 0 rejected, canceled or expired at the venue, 1 still open when the data ended) · fees',
    );
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    // `orders` is still the count filled in full; the fills of the partly filled ones are there.
    expect(report).toMatchObject({
      orders: 1,
      ordersTotal: 4,
      ordersDenied: 0,
      ordersOpen: 2,
      ordersPartlyFilled: 1,
      ordersOpenPartlyFilled: 1,
    });
    expect(report.fills.map((f) => f.quantity)).toEqual([10, 5, 10]);
    // The HTML report says them apart too.
    expect(readFileSync(html, 'utf8')).toContain(
      '<tr><th scope="row">Orders partly filled</th><td>1 then canceled or expired, 1 still open at the end</td></tr>',
    );
  });
});
