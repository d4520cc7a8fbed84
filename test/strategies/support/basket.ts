import { expect } from 'vitest';
import type { BacktestResult } from '../../../src/backtest/runBacktest.js';
import type { BarSeries } from '../../../src/model/BarSeries.js';
import { UNIVERSE, runGolden, series } from './golden.js';
import type { PeriodTable } from './periods.js';
import { fullExits, lastPeriodBefore } from './periods.js';

/** A basket strategy's golden run over the ten BTC pairs; `symbols` in the universe's order. */
export function universeRun(
  id: string,
  params: Record<string, unknown>,
): { data: BarSeries[]; symbols: string[]; r: BacktestResult } {
  const data = UNIVERSE.map(series);
  return { data, symbols: data.map((s) => s.symbol), r: runGolden(id, data, params) };
}

/**
 * The period whose decision is in force at period `p`, by the documented rule rather than
 * the strategy's code: a decision every `rebalanceEvery` periods, once every symbol has
 * had `lookback + 1` of them; −1 before the first.
 */
export function decisionFinder(
  t: PeriodTable,
  params: { readonly lookback: number; readonly rebalanceEvery: number },
): (p: number) => number {
  const ready = (p: number): boolean => t.seen.every((n) => (n[p] as number) >= params.lookback + 1);
  return (p) => {
    let q = p;
    while (q >= 0 && !((q + 1) % params.rebalanceEvery === 0 && ready(q))) q--;
    return q;
  };
}

/** Each symbol's close-to-close return over `lookback` periods ending at `p`. */
export function lookbackReturns(
  t: PeriodTable,
  symbols: readonly string[],
  lookback: number,
  p: number,
): (readonly [string, number])[] {
  return symbols.map((sym, k) => {
    const c = t.close[k] as Float64Array;
    return [sym, (c[p] as number) / (c[p - lookback] as number) - 1] as const;
  });
}

/**
 * Every buy is of a symbol `chosen` at the decision before it, and every sale that leaves a
 * symbol flat is of one it no longer chose; at least `min` buys and exits show it.
 */
export function expectBasketDecisions(
  r: BacktestResult,
  t: PeriodTable,
  decisionAt: (p: number) => number,
  chosen: (p: number) => readonly string[],
  min: { readonly buys: number; readonly exits: number },
): void {
  const buys = r.fills.filter((f) => f.side === 'BUY');
  expect(buys.length).toBeGreaterThan(min.buys);
  for (const f of buys)
    expect(chosen(decisionAt(lastPeriodBefore(t.ts, f))), `buy of ${f.symbol} at ${f.ts}`).toContain(
      f.symbol,
    );
  const exits = fullExits(r.fills);
  expect(exits.length).toBeGreaterThan(min.exits);
  for (const f of exits)
    expect(chosen(decisionAt(lastPeriodBefore(t.ts, f))), `exit of ${f.symbol} at ${f.ts}`).not.toContain(
      f.symbol,
    );
}
