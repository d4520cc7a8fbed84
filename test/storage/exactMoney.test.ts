import { afterEach, describe, expect, it } from 'vitest';
import { formatFixed, parseFixed, toFixed } from '../../src/core/Fixed.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { Ledger } from '../../src/portfolio/Ledger.js';
import { LedgerStore } from '../../src/storage/sqlite/LedgerStore.js';
import { OrderStore } from '../../src/storage/sqlite/OrderStore.js';
import { RunStore } from '../../src/storage/sqlite/RunStore.js';
import { writeForever } from './fixtures/crashJournal.js';
import { tempDb } from './tempDb.js';

const t = tempDb('money');
afterEach(() => t.remove());

/** Amounts a float64 cannot hold: 10^-16 steps on 10^12 and beyond, and rebates below zero. */
const EXTREMES = [
  '0.0000000000000001',
  '-0.0000000000000001',
  '1000000000000.0000000000000001',
  '999999999999.9999999999999999',
  '123456789012345678901234.5678901234567891',
  '-98765432109876543210.0000000000000009',
];

describe('exact money on disk', () => {
  it('fills keep every amount to the last 10^-16, as TEXT, through a restart', () => {
    const db = t.open();
    writeForever(db, 1); // an order to hang the fills on
    const orders = new OrderStore(db);
    const orderId = db.prepare<[], string>('SELECT id FROM orders LIMIT 1').pluck().get() as string;
    EXTREMES.forEach((amount, i) => {
      const positive = amount.replace('-', '');
      orders.fills.record({
        orderId,
        tradeId: `X${i}`,
        strategyId: 'crash',
        symbol: 'BTC/USDT',
        side: 'BUY',
        qty: parseFixed(positive),
        px: parseFixed(positive),
        fee: parseFixed(amount),
        feeCurrency: 'USDT',
        liquidity: 'TAKER',
        ts: 1,
      });
    });
    db.close();
    const reopened = t.open();
    const back = new OrderStore(reopened).fills.forOrder(orderId).filter((f) => f.tradeId.startsWith('X'));
    expect(back.map((f) => [formatFixed(f.qty), formatFixed(f.px), formatFixed(f.fee)])).toEqual(
      EXTREMES.map((a) => [a.replace('-', ''), a.replace('-', ''), a]),
    );
    expect(
      reopened
        .prepare(
          "SELECT DISTINCT typeof(qty) || typeof(px) || typeof(fee) FROM fills WHERE trade_id LIKE 'X%'",
        )
        .pluck()
        .all(),
    ).toEqual(['texttexttext']);
  });

  it('a ledger snapshot of 10^12 notionals in 10^-16 steps restores to the same ledger', () => {
    const db = t.open();
    new RunStore(db).start({ id: 'r', mode: 'shadow', startedAt: 1, config: {} });
    const inst = makeInstrument({
      symbol: 'BTC/USDT',
      tickSize: '0.0000000000000001',
      lotSize: '0.0000000000000001',
    });
    const ledger = new Ledger({ USDT: '100000000000000.0000000000000001' });
    ledger.applyFill(inst, {
      side: 'BUY',
      qty: toFixed('0.3000000000000001'),
      px: toFixed('3333333333333.3333333333333333'),
      fee: toFixed('-0.0000000000000001'),
      feeCurrency: 'USDT',
    });
    ledger.applyFill(inst, {
      side: 'SELL',
      qty: toFixed('0.1'),
      px: toFixed('3333333333333.3333333333333334'),
      fee: toFixed('0.0000000000000001'),
      feeCurrency: 'USDT',
    });
    new LedgerStore(db).save('r', 2, ledger);
    db.close();
    const snap = new LedgerStore(t.open()).latest();
    const restored = new Ledger(snap?.cash);
    restored.restorePositions(snap?.positions ?? []);
    const cash = (l: Ledger) => Object.fromEntries([...l.balances()].map(([c, a]) => [c, formatFixed(a)]));
    expect(cash(restored)).toEqual(cash(ledger));
    expect(restored.allPositions()).toEqual(ledger.allPositions());
    // The figures are the exact ones, not a float's neighbours.
    expect(cash(restored).USDT).toMatch(/^\d+\.\d{16}$/);
  });
});
