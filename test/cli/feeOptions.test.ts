/**
 * `qts backtest` with the fee and slippage options of the simulated venue (--maker-fee,
 * --taker-fee, --spread-bps), and the summary's count of orders still open when the data ended.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { candleCsvText, walkCandleRows } from '../support/walkCandleCsv.js';
import { qts } from '../support/runQts.js';

const T0 = Date.UTC(2024, 0, 1);

/** A 1m candle file of these [open, high, low, close] rows, named for `pair`. */
function candles(dir: string, pair: string, rows: readonly (readonly number[])[]): string {
  const file = join(dir, `${pair}-1m.csv`);
  const lines = rows.map(([o, h, l, c], i) => `${T0 + i * 60_000},${o},${h},${l},${c},1000`);
  writeFileSync(file, `timestamp,open,high,low,close,volume\n${lines.join('\n')}\n`);
  return file;
}

interface Report {
  orders: number;
  ordersTotal: number;
  ordersDenied: number;
  ordersOpen: number;
  commission: number | null;
  makerFee: number | null;
  takerFee: number | null;
  slippage: Record<string, unknown>;
  fills: { ts: number; side: string; quantity: number; price: number; fee: number }[];
}

const FLAT = Array.from({ length: 5 }, () => [100, 100.5, 99.5, 100]);
/** Flat at 100, a dip through 90 (the grid's first level), then up through 100. */
const DIP = [...FLAT, [99, 99, 89, 91], [91, 95, 90.5, 94], [94, 99, 93.5, 98], [98, 112, 97.5, 111]];
/** A grid 10 % apart, 3 levels below the first close: 90, 80, 70. */
const GRID = ['--strategy', 'grid', '--params', 'levels=3,spacingPct=10,orderSize=0.2', '--no-progress'];

describe('qts backtest fee and slippage options', () => {
  it('--help explains them', () => {
    const r = qts(['backtest', '--help']);
    expect(r.code).toBe(0);
    for (const o of ['--maker-fee <rate>', '--taker-fee <rate>', '--spread-bps <bps>'])
      expect(r.stdout).toContain(o);
  });

  it('a grid of limit orders pays the maker rate, and the report says which rates and slippage the run used', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-fees-'));
    const json = join(dir, 'r.json');
    const r = qts([
      'backtest',
      '--data',
      candles(dir, 'DIP_USDT', DIP),
      ...GRID,
      '--maker-fee',
      '0.0002',
      '--taker-fee',
      '0.0007',
      '--spread-bps',
      '20',
      '--json',
      json,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    // The buy at 90 in the dip, and its sell one level up at 100: both rested, both made.
    expect(report.fills.map((f) => [f.side, f.price])).toEqual([
      ['BUY', 90],
      ['SELL', 100],
    ]);
    for (const f of report.fills) expect(f.fee).toBeCloseTo(f.quantity * f.price * 0.0002, 9);
    expect(report).toMatchObject({
      commission: 0.001,
      makerFee: 0.0002,
      takerFee: 0.0007,
      slippage: { kind: 'spread', spreadBps: 20 },
    });
  });

  it('market fills cross half of --spread-bps, and all of --slippage-bps', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-fees-'));
    const rows = walkCandleRows(600);
    const data = join(dir, 'WALK_USDT-1m.csv');
    writeFileSync(data, candleCsvText(rows));
    // A fill at the close is stamped at the end of its bar: the next row's time.
    const closeBefore = new Map(
      rows.map((r) => r.split(',').map(Number)).map((c) => [(c[0] as number) + 60_000, c[4] as number]),
    );
    const run = (model: string[]): Report => {
      const json = join(dir, `${model.join('')}.json`);
      const args = [
        '--strategy',
        'sma-cross',
        '--params',
        'fast=5,slow=20',
        '--fill',
        'close',
        '--lot',
        '0.001',
      ];
      const r = qts(['backtest', '--data', data, ...args, ...model, '--no-progress', '--json', json]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(readFileSync(json, 'utf8')) as Report;
    };
    const spread = run(['--spread-bps', '20']);
    const bps = run(['--slippage-bps', '20']);
    expect(spread.slippage).toEqual({ kind: 'spread', spreadBps: 20 });
    expect(bps.slippage).toEqual({ kind: 'bps', bps: 20 });
    for (const [report, cost] of [
      [spread, 0.001],
      [bps, 0.002],
    ] as const) {
      expect(report.fills.length).toBeGreaterThan(10);
      for (const f of report.fills) {
        const close = closeBefore.get(f.ts) as number;
        // A buyer pays more, a seller gets less; the tick (1e-8) is far below these digits.
        expect(f.price / close - 1).toBeCloseTo(f.side === 'BUY' ? cost : -cost, 7);
      }
    }
  });

  it('--slippage-bps and --spread-bps together are refused with a coded error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-fees-'));
    const file = candles(dir, 'FLAT_USDT', FLAT);
    const r = qts(['backtest', '--data', file, ...GRID, '--slippage-bps', '5', '--spread-bps', '10']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error ERR_INVALID_OPTION: --slippage-bps and --spread-bps are two slippage models: give one of them, not both\n',
    );
    expect(r.stdout).toBe('');
  });

  it('a fee rate out of range is refused naming the option', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-fees-'));
    const file = candles(dir, 'FLAT_USDT', FLAT);
    const r = qts(['backtest', '--data', file, ...GRID, '--taker-fee', '1.5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error ERR_INVALID_OPTION: --taker-fee: invalid value "1.5"\n');
  });

  it('counts the orders still open when the data ended apart from those the venue refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-fees-'));
    const json = join(dir, 'r.json');
    // The price never comes near the grid's levels: its three buys rest to the end.
    const r = qts(['backtest', '--data', candles(dir, 'FLAT_USDT', FLAT), ...GRID, '--json', json]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      'orders filled     0 of 3 (3 not filled: 0 denied by risk, 0 rejected, canceled or expired at the venue, 3 still open when the data ended) · fees',
    );
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    expect(report).toMatchObject({ orders: 0, ordersTotal: 3, ordersDenied: 0, ordersOpen: 3 });
    // Without new options, the rates are the commission's and there is no slippage.
    expect(report).toMatchObject({ makerFee: 0.001, takerFee: 0.001, slippage: { kind: 'none' } });
  });
});
