import { afterEach, describe, expect, it } from 'vitest';
import { formatFixed, toFixed } from '../../src/core/Fixed.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { MarginMode } from '../../src/model/MarginMode.js';
import { Ledger } from '../../src/portfolio/Ledger.js';
import { Portfolio } from '../../src/portfolio/Portfolio.js';
import { LedgerStore } from '../../src/storage/sqlite/LedgerStore.js';
import { RunStore } from '../../src/storage/sqlite/RunStore.js';
import { tempDb } from './tempDb.js';

const t = tempDb('ledger');
afterEach(() => t.remove());

describe('LedgerStore', () => {
  it('a snapshot reads back to the last 10^-16, and restores an equal ledger after a restart', () => {
    const db = t.open();
    new RunStore(db).start({ id: 'run-1', mode: 'live', startedAt: 1000, config: {} });
    const spot = makeInstrument({ symbol: 'ETH/BTC', tickSize: '0.000001', lotSize: '0.001' });
    const perp = makeInstrument({ symbol: 'XRP/USDT:USDT' });
    const ledger = new Ledger({ BTC: '1.5', USDT: '1000.0000000000000001' });
    ledger.applyFill(spot, {
      side: 'BUY',
      qty: toFixed('3'),
      px: toFixed('0.031415'),
      fee: toFixed('0.000094245'),
      feeCurrency: 'BTC',
    });
    ledger.applyFill(spot, {
      side: 'SELL',
      qty: toFixed('1'),
      px: toFixed('0.033333'),
      fee: toFixed(0),
      feeCurrency: 'BTC',
    });
    ledger.applyFill(perp, {
      side: 'SELL',
      qty: toFixed('7'),
      px: toFixed('0.61'),
      fee: toFixed('0.0042'),
      feeCurrency: 'USDT',
    });
    ledger.applyFill(perp, {
      side: 'BUY',
      qty: toFixed('3'),
      px: toFixed('0.6'),
      fee: toFixed(0),
      feeCurrency: 'USDT',
    });

    const store = new LedgerStore(db);
    const id = store.save('run-1', 2000.5, ledger);
    db.close();

    const reopened = new LedgerStore(t.open());
    const snap = reopened.latest();
    expect(snap).toEqual({
      id,
      runId: 'run-1',
      ts: 2000.5,
      cash: Object.fromEntries([...ledger.balances()].map(([c, v]) => [c, formatFixed(v)])),
      positions: ledger.allPositions().sort((a, b) => a.symbol.localeCompare(b.symbol)),
      // No fill journaled yet: the snapshot holds none.
      fillsUpto: 0,
    });
    // What a restore does with it: cash through the Ledger constructor, positions as they are.
    const restored = new Ledger(snap?.cash);
    for (const [currency, amount] of ledger.balances()) expect(restored.balance(currency)).toBe(amount);
    expect(reopened.latest('run-1')).toEqual(snap);
    expect(reopened.latest('other-run')).toBeUndefined();
  });

  it('the latest snapshot wins, each one is complete on its own, and an unknown run is refused', () => {
    const db = t.open();
    new RunStore(db).start({ id: 'r', mode: 'shadow', startedAt: 0, config: null });
    const store = new LedgerStore(db);
    expect(store.latest()).toBeUndefined();
    const first = store.save('r', 1, new Ledger({ USDT: 100 }));
    store.save('r', 2, new Ledger({ USDT: 90, BTC: '0.001' }));
    expect(store.latest()?.cash).toEqual({ BTC: '0.001', USDT: '90' });
    expect(store.get(first)?.cash).toEqual({ USDT: '100' });
    expect(() => store.save('no-such-run', 3, new Ledger({ USDT: 1 }))).toThrow(/FOREIGN KEY/);
    // The refused snapshot left nothing behind.
    expect(store.latest()?.ts).toBe(2);
    expect(db.prepare('SELECT count(*) FROM ledger_balances').pluck().get()).toBe(3);
  });

  it('saves a perpetual position with its margin mode and leverage, and a restore books it under them', () => {
    const db = t.open();
    new RunStore(db).start({ id: 'r', mode: 'live', startedAt: 0, config: null });
    const perp = makeInstrument({ symbol: 'XRP/USDT:USDT', maxLeverage: 20 });
    const spot = makeInstrument({ symbol: 'ETH/USDT' });
    const instrument = (s: string) => (s === perp.symbol ? perp : spot);
    const portfolio = new Portfolio('USDT', { USDT: 1000 }, instrument);
    portfolio.margin.configure(perp.symbol, { leverage: 3, mode: MarginMode.CROSS });
    const fill = (symbol: string, side: 'BUY' | 'SELL', qty: string, px: string) =>
      portfolio.applyFill({
        type: 'OrderFilled',
        eventId: `e-${symbol}`,
        orderId: `o-${symbol}`,
        strategyId: 's',
        symbol,
        ts: 0,
        tradeId: `t-${symbol}`,
        side,
        lastQty: toFixed(qty),
        lastPx: toFixed(px),
        fee: toFixed(0),
        feeCurrency: 'USDT',
        liquidity: 'TAKER',
      });
    fill(perp.symbol, 'SELL', '40', '0.6');
    fill(spot.symbol, 'BUY', '0.1', '2000');
    new LedgerStore(db).save('r', 1, portfolio);
    db.close();

    const snap = new LedgerStore(t.open()).latest();
    expect(snap?.positions.map((p) => [p.symbol, p.margin])).toEqual([
      ['ETH/USDT', undefined],
      [perp.symbol, { leverage: 3, mode: MarginMode.CROSS }],
    ]);
    const restored = new Portfolio('USDT', snap?.cash ?? {}, instrument);
    restored.restorePositions(snap?.positions ?? []);
    expect(restored.margin.settings(perp.symbol)).toEqual({ leverage: 3, mode: MarginMode.CROSS });
    // Cross: nothing carved out of the wallet for it (isolated at entry would hold 24 ÷ 3 = 8).
    expect(restored.margin.isolatedMargin(perp.symbol)).toBe(toFixed(0));
  });

  it('saves the isolated margin funding moved, and a restart restores that margin, not one at entry', () => {
    const db = t.open();
    new RunStore(db).start({ id: 'r', mode: 'shadow', startedAt: 0, config: null });
    const perp = makeInstrument({ symbol: 'XRP/USDT:USDT', maxLeverage: 20, maintenanceRate: '0.005' });
    const portfolio = new Portfolio('USDT', { USDT: 1000 }, () => perp);
    portfolio.margin.configure(perp.symbol, { leverage: 10, mode: MarginMode.ISOLATED });
    portfolio.applyFill({
      type: 'OrderFilled',
      eventId: 'e1',
      orderId: 'o1',
      strategyId: 's',
      symbol: perp.symbol,
      ts: 0,
      tradeId: 't1',
      side: 'BUY',
      lastQty: toFixed('1000'),
      lastPx: toFixed('0.5'),
      fee: toFixed(0),
      feeCurrency: 'USDT',
      liquidity: 'TAKER',
    });
    // 500 of notional at 10x: 50 behind it; funding paid out of it leaves 46.5.
    portfolio.applyFunding({
      type: 'FundingSettled',
      symbol: perp.symbol,
      ts: 1,
      rate: toFixed('0.007'),
      markPrice: toFixed('0.5'),
      positionQty: toFixed('1000'),
      amount: toFixed('-3.5'),
      currency: 'USDT',
    });
    expect(formatFixed(portfolio.margin.isolatedMargin(perp.symbol))).toBe('46.5');
    const liquidationBefore = portfolio.margin.liquidationPrice(perp.symbol);
    new LedgerStore(db).save('r', 2, portfolio);
    db.close();

    const snap = new LedgerStore(t.open()).latest();
    const restored = new Portfolio('USDT', snap?.cash ?? {}, () => perp);
    restored.restorePositions(snap?.positions ?? []);
    restored.margin.configure(perp.symbol, { leverage: 10, mode: MarginMode.ISOLATED });
    expect(formatFixed(restored.margin.isolatedMargin(perp.symbol))).toBe('46.5');
    expect(restored.margin.liquidationPrice(perp.symbol)).toBe(liquidationBefore);
    expect(formatFixed(restored.margin.crossWallet('USDT'))).toBe('950');
  });
});
