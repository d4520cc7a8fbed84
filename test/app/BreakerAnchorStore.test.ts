import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { BreakerAnchorStore } from '../../src/app/BreakerAnchorStore.js';
import { liftKillSwitch } from '../../src/app/killSwitch.js';
import { ZERO } from '../../src/core/Fixed.js';
import type { TradingNode } from '../../src/node/TradingNode.js';
import { RiskEngine } from '../../src/risk/RiskEngine.js';
import type { SqliteDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { RiskStateStore } from '../../src/storage/sqlite/RiskStateStore.js';
import { tempDb } from '../storage/tempDb.js';

const t = tempDb('breaker');
afterEach(() => t.remove());

const HOUR = 3_600_000;
const MAY_1 = Date.UTC(2024, 4, 1);
const MAY_2 = MAY_1 + 24 * HOUR;

/** One engine start on the database: a fresh risk engine whose account shows `equity`. */
function start(db: SqliteDatabase, limits: { dailyLossLimitPct?: number; maxDrawdownPct?: number }) {
  const account = { equity: 0 };
  const engine = new RiskEngine({
    instrument: () => {
      throw new Error('no orders in this test');
    },
    lastPrice: () => undefined,
    positionQty: () => ZERO,
    cash: () => ZERO,
    openOrders: () => [],
  });
  engine.configureBreakers({ ...limits, breakerState: 'HALTED' });
  const risk = new RiskStateStore(db);
  const anchors = new BreakerAnchorStore(db, risk, engine, () => account.equity);
  const at = (equity: number, ts: number): void => {
    account.equity = equity;
    anchors.check(ts);
  };
  /** An admin's resume (API or `qts resume`), as the runtime does it; lifting a halt reads only the node's risk engine. */
  const resume = (ts: number): string =>
    liftKillSwitch(
      {
        node: { risk: engine } as unknown as TradingNode,
        risk,
        log: pino({ level: 'silent' }),
        breaker: anchors,
      },
      ts,
      'checked',
      'api:ada',
    );
  return { engine, anchors, account, at, resume };
}

describe('BreakerAnchorStore', () => {
  it('a restart keeps the peak: the drawdown counts from it, not from the equity at restart', () => {
    const first = start(t.open(), { maxDrawdownPct: 0.2 });
    first.at(100, MAY_1 + HOUR);
    first.at(130, MAY_1 + 2 * HOUR);
    expect(first.engine.state).toBe('ACTIVE');

    const again = start(t.open(), { maxDrawdownPct: 0.2 });
    again.account.equity = 110;
    again.anchors.restore(MAY_1 + 3 * HOUR);
    expect(again.engine.circuitBreaker.anchors()).toEqual({
      peakEquity: 130,
      dayStart: MAY_1,
      dayStartEquity: 100,
    });
    // 100 is 23 % below the 130 peak of the first run (9 % below the 110 it restarted at).
    again.at(100, MAY_1 + 4 * HOUR);
    expect(again.engine.state).toBe('HALTED');
  });

  it("a restart the same day keeps the day's start equity; the next day starts afresh", () => {
    const first = start(t.open(), { dailyLossLimitPct: 0.1 });
    first.at(100, MAY_1 + HOUR);
    first.at(95, MAY_1 + 2 * HOUR);

    const sameDay = start(t.open(), { dailyLossLimitPct: 0.1 });
    sameDay.account.equity = 95;
    sameDay.anchors.restore(MAY_1 + 3 * HOUR);
    // 88 is 12 % below the day's 100 (7 % below the 95 of the restart).
    sameDay.at(88, MAY_1 + 4 * HOUR);
    expect(sameDay.engine.state).toBe('HALTED');

    const nextDay = start(t.open(), { dailyLossLimitPct: 0.1 });
    nextDay.account.equity = 88;
    nextDay.anchors.restore(MAY_2 + HOUR);
    expect(nextDay.engine.circuitBreaker.anchors()?.dayStartEquity).toBe(88);
    nextDay.at(85, MAY_2 + 2 * HOUR);
    expect(nextDay.engine.state).toBe('ACTIVE');
  });

  it('a resume after a trip holds: the breached limit counts from the equity at the resume, across a restart', () => {
    const first = start(t.open(), { dailyLossLimitPct: 0.05, maxDrawdownPct: 0.1 });
    first.at(100, MAY_1 + HOUR);
    first.at(94, MAY_1 + 2 * HOUR);
    expect(first.engine.state).toBe('HALTED');
    // An admin resumes: the same equity on the next bar must not trip it again.
    expect(first.resume(MAY_1 + 3 * HOUR)).toBe('ACTIVE');
    first.at(94, MAY_1 + 3 * HOUR);
    first.at(93, MAY_1 + 4 * HOUR);
    expect(first.engine.state).toBe('ACTIVE');

    const again = start(t.open(), { dailyLossLimitPct: 0.05, maxDrawdownPct: 0.1 });
    again.account.equity = 93;
    again.anchors.restore(MAY_1 + 5 * HOUR);
    expect(again.engine.circuitBreaker.anchors()).toEqual({
      peakEquity: 100,
      dayStart: MAY_1,
      dayStartEquity: 94,
    });
    again.at(93, MAY_1 + 5 * HOUR);
    expect(again.engine.state).toBe('ACTIVE');
    // A further 5 % from the resume trips it again.
    again.at(89.3, MAY_1 + 6 * HOUR);
    expect(again.engine.state).toBe('HALTED');
  });

  it('a first start has nothing to restore: the breaker anchors at the first equity it sees', () => {
    const s = start(t.open(), { maxDrawdownPct: 0.2 });
    s.account.equity = 50;
    s.anchors.restore(MAY_1);
    expect(s.engine.circuitBreaker.anchors()).toBeUndefined();
    s.at(50, MAY_1 + HOUR);
    expect(s.engine.circuitBreaker.anchors()?.peakEquity).toBe(50);
  });
});
