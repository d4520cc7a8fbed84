import type { StrategyWarmUp, WarmUpStatus } from '../api/EngineStatus.js';
import { isoTime } from '../core/time.js';
import type { Millis } from '../core/time.js';
import type { Bar } from '../model/Bar.js';
import type { WarmUpResult } from './warmUpStrategies.js';

/** What WarmUpProgress needs to know of a strategy instance. */
export interface WarmedStrategy {
  readonly symbols: readonly string[];
  /** The instance ran through the warm-up (TradingNode.strategyInfos). */
  readonly warmedUp: boolean;
  /**
   * Closed bars of its own timeframe per symbol the instance saw as history: fewer than the
   * symbol's history when it was started (through the API) after part of it was delivered.
   */
  readonly warmUpBars: ReadonlyMap<string, number>;
}

/**
 * The start's warm-up as the API reports it (`GET /status`): whether it runs, ran or is off
 * and why, where each symbol's history came from, and how many bars of its own timeframe each
 * strategy saw, so a user can tell why a strategy does or does not trade yet.
 */
export class WarmUpProgress {
  private state: WarmUpStatus['state'] = 'off';
  private startedAt: Millis | null = null;
  private finishedAt: Millis | null = null;
  private result: WarmUpResult | undefined;
  /** Base bars delivered, per symbol. */
  private readonly delivered = new Map<string, number>();

  constructor(
    private readonly bars: number,
    private readonly timeoutMs: number,
    /** Why warm-up is off, when it is (undefined: it runs at start). */
    private readonly offReason: string | undefined,
  ) {}

  begin(now: Millis): void {
    this.state = 'running';
    this.startedAt = now;
  }

  /** A bar delivered to the strategies as history. */
  onBar(bar: Bar): void {
    this.delivered.set(bar.symbol, (this.delivered.get(bar.symbol) ?? 0) + 1);
  }

  finish(result: WarmUpResult, now: Millis): void {
    this.state = 'done';
    this.finishedAt = now;
    this.result = result;
  }

  status(): WarmUpStatus {
    const symbols = (this.result?.symbols ?? []).map((r) => ({
      symbol: r.symbol,
      source: r.source,
      baseBars: this.delivered.get(r.symbol) ?? 0,
    }));
    return {
      state: this.state,
      bars: this.bars,
      timeoutMs: this.timeoutMs,
      timedOut: this.result?.timedOut ?? false,
      startedAt: this.startedAt,
      finishedAt: this.finishedAt,
      symbols,
      detail: this.detail(symbols),
    };
  }

  /**
   * What `s` was warmed up with; null when it had no warm-up (or it has not ended). The bars are
   * those the instance itself saw, not the symbol's whole history: one started mid-way saw less.
   */
  forStrategy(s: WarmedStrategy): StrategyWarmUp | null {
    const result = this.result;
    if (this.state !== 'done' || result === undefined || !s.warmedUp) return null;
    const symbols = s.symbols.map((symbol) => ({
      symbol,
      source: result.symbols.find((r) => r.symbol === symbol)?.source ?? 'none',
      bars: s.warmUpBars.get(symbol) ?? 0,
    }));
    return { bars: Math.min(...symbols.map((x) => x.bars)), symbols };
  }

  private detail(symbols: WarmUpStatus['symbols']): string {
    if (this.state === 'off') return `off: ${this.offReason ?? 'not started'}`;
    if (this.state === 'running')
      return `fetching history since ${isoTime(this.startedAt ?? 0)} (at most ${this.timeoutMs} ms)`;
    const each = symbols
      .map((s) => `${s.symbol}: ${s.source === 'none' ? 'none, cold' : `${s.baseBars} bars, ${s.source}`}`)
      .join('; ');
    const took = (this.finishedAt ?? 0) - (this.startedAt ?? 0);
    return `${this.result?.timedOut === true ? `timed out after ${this.timeoutMs} ms` : `done in ${took} ms`}${each === '' ? '' : ` (${each})`}`;
  }
}
