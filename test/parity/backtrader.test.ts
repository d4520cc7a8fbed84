/**
 * Parity with backtrader: our SMA(10)/SMA(30) crossover backtest of ORCL 1995–2014 must
 * place exactly the orders backtrader places with cheat-on-close (`broker.set_coc(True)`),
 * 0.1% commission on value, all-in whole-share sizing and 100000 starting cash.
 *
 * backtrader cannot be installed here, so the reference is test/oracle/backtrader_sma_cross.py:
 * a standard-library re-implementation of the backtrader code paths this run touches
 * (Average with math.fsum, CrossOver over NonZeroDifference, BackBroker coc execution,
 * CommInfoBase commission, Strategy.close()), each rule commented with its source file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import type { FillRecord } from '../../src/backtest/types.js';
import { toFixed } from '../../src/core/Fixed.js';
import { timeframeToMs } from '../../src/core/time.js';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import type { BarSeries } from '../../src/model/BarSeries.js';
import { parseSizing } from '../../src/portfolio/Sizer.js';
import { findStrategy } from '../../src/strategies/registry.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';

const ROOT = resolve(import.meta.dirname, '../..');
const ORACLE = join(ROOT, 'test/oracle/backtrader_sma_cross.py');
const DATA = sharedFile('stocks-daily/orcl-1995-2014.txt');

const FAST = 10;
const SLOW = 30;
const COMMISSION = 0.001;
const CASH = 100000;

interface ParityOrder {
  readonly date: string;
  readonly side: 'BUY' | 'SELL';
  readonly size: number;
  readonly price: number;
  readonly commission: number;
}

interface OracleResult {
  readonly orders: ParityOrder[];
  readonly finalValue: number;
  readonly finalCash: number;
  readonly finalPosition: number;
  readonly bars: number;
  readonly rejected: unknown[];
  readonly unfilledAtEnd: unknown[];
}

function python3Available(): boolean {
  const r = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  return r.error === undefined && r.status === 0;
}

const skipReason = !python3Available()
  ? 'python3 is not installed'
  : !HAS_SHARED_DATA || !existsSync(DATA)
    ? `shared data missing (${DATA})`
    : undefined;
if (skipReason !== undefined) console.warn(`backtrader parity skipped: ${skipReason}`);

function runOracle(): OracleResult {
  const out = execFileSync(
    'python3',
    [
      ORACLE,
      DATA,
      '--fast',
      String(FAST),
      '--slow',
      String(SLOW),
      '--cash',
      String(CASH),
      '--commission',
      String(COMMISSION),
      '--feed',
      'close',
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(out) as OracleResult;
}

/** UTC calendar date (YYYY-MM-DD) of an epoch-ms time. */
function utcDate(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}

/**
 * A fill as a backtrader-comparable order, dated by its signal bar. runBacktest advances the
 * clock to `bar.ts + timeframe` (the bar's close time) before the venue and the strategy see
 * the bar, so a fill at the signal bar's close is stamped with that bar's close time, which
 * for daily bars is the next UTC midnight — its UTC date is the day AFTER the signal bar.
 * The signal bar is therefore found from the fill's `barIndex` (the bar being processed when
 * it filled), cross-checked against `ts`, and dated by its open time (the CSV's date at UTC
 * midnight), which is the date backtrader stamps a coc execution with (order.created.dt).
 */
function toParityOrder(fill: FillRecord, series: BarSeries): ParityOrder {
  const tfMs = timeframeToMs(series.timeframe);
  const k = fill.barIndex;
  const open = series.ts[k];
  if (open === undefined) throw new Error(`fill ${fill.orderId}: barIndex ${k} outside the series`);
  if (fill.ts !== open + tfMs && fill.ts !== open) {
    throw new Error(
      `fill ${fill.orderId} at ${new Date(fill.ts).toISOString()} is neither the open nor the close time of bar ${k} (${utcDate(open)})`,
    );
  }
  return {
    date: utcDate(open),
    side: fill.side,
    size: fill.quantity,
    price: fill.price,
    commission: fill.fee,
  };
}

function relDiff(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);
}

/** The first order that differs, described; undefined when both lists agree. */
function firstDifference(oracle: readonly ParityOrder[], ours: readonly ParityOrder[]): string | undefined {
  const n = Math.min(oracle.length, ours.length);
  for (let i = 0; i < n; i++) {
    const a = oracle[i] as ParityOrder;
    const b = ours[i] as ParityOrder;
    const problems: string[] = [];
    if (a.date !== b.date) problems.push(`date ${b.date} vs backtrader ${a.date}`);
    if (a.side !== b.side) problems.push(`side ${b.side} vs backtrader ${a.side}`);
    if (a.size !== b.size) problems.push(`size ${b.size} vs backtrader ${a.size}`);
    if (!(Math.abs(a.price - b.price) <= 1e-9)) problems.push(`price ${b.price} vs backtrader ${a.price}`);
    if (!(relDiff(a.commission, b.commission) <= 1e-9)) {
      problems.push(`commission ${b.commission} vs backtrader ${a.commission}`);
    }
    if (problems.length > 0) {
      return `order #${i + 1} (backtrader: ${a.side} ${a.size} @ ${a.price} on ${a.date}): ${problems.join('; ')}`;
    }
  }
  if (oracle.length !== ours.length) {
    const extra = oracle.length > ours.length ? oracle[n] : ours[n];
    const who = oracle.length > ours.length ? 'backtrader only' : 'ours only';
    return `order count ${ours.length} vs backtrader ${oracle.length}; first unmatched (${who}): ${JSON.stringify(extra)}`;
  }
  return undefined;
}

describe.skipIf(skipReason !== undefined)(
  `backtrader parity: sma-cross 10/30 on ORCL 1995-2014, coc, 0.1% commission, all-in${skipReason === undefined ? '' : ` (skipped: ${skipReason})`}`,
  () => {
    let oracle: OracleResult;
    let series: BarSeries;
    let tmp: string | undefined;

    beforeAll(() => {
      oracle = runOracle();
      series = loadBarSeries(DATA).series;
    });

    afterAll(() => {
      if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
    });

    it('the oracle trades non-trivially and cleanly', () => {
      expect(oracle.bars).toBe(series.length);
      expect(oracle.orders.length).toBeGreaterThan(10);
      expect(oracle.rejected).toEqual([]);
      oracle.orders.forEach((o, i) => expect(o.side).toBe(i % 2 === 0 ? 'BUY' : 'SELL'));
      expect(oracle.finalValue).toBeGreaterThan(0);
    });

    it('runBacktest places the same orders as backtrader and ends with the same equity', () => {
      const { report, fills } = runBacktest({
        series: [series],
        strategy: findStrategy('sma-cross'),
        params: { fast: FAST, slow: SLOW },
        fill: { fillAt: 'close' },
        commission: COMMISSION,
        initialCash: CASH,
        sizing: parseSizing('all-in', toFixed(1)),
      });
      const ours = fills.map((f) => toParityOrder(f, series));

      expect(firstDifference(oracle.orders, ours)).toBeUndefined();
      expect(ours.length).toBe(oracle.orders.length);
      expect(report.orders).toBe(oracle.orders.length);
      expect(relDiff(report.finalEquity, oracle.finalValue)).toBeLessThanOrEqual(1e-6);
    });

    it('the CLI run end to end reports the same orders and final equity', () => {
      tmp = mkdtempSync(join(tmpdir(), 'qts-parity-'));
      const out = join(tmp, 'out.json');
      // prettier-ignore
      const args = [
        'tsx', 'src/cli/main.ts', 'backtest',
        '--data', DATA,
        '--strategy', 'sma-cross',
        '--params', `fast=${FAST},slow=${SLOW}`,
        '--fill', 'close',
        '--commission', String(COMMISSION),
        '--cash', String(CASH),
        '--sizing', 'all-in',
        '--json', out,
      ];
      execFileSync('npx', args, { cwd: ROOT, encoding: 'utf8', stdio: 'pipe', timeout: 120_000 });
      const report = JSON.parse(readFileSync(out, 'utf8')) as {
        orders: number;
        finalEquity: number;
        fills?: FillRecord[];
      };

      expect(report.orders).toBe(oracle.orders.length);
      expect(relDiff(report.finalEquity, oracle.finalValue)).toBeLessThanOrEqual(1e-6);
      if (report.fills !== undefined) {
        const ours = report.fills.map((f) => toParityOrder(f, series));
        expect(firstDifference(oracle.orders, ours)).toBeUndefined();
      }
    }, 180_000);
  },
);
