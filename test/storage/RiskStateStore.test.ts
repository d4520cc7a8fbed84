import { afterEach, describe, expect, it } from 'vitest';
import { toFixed } from '../../src/core/Fixed.js';
import { RiskStateStore } from '../../src/storage/sqlite/RiskStateStore.js';
import { tempDb } from './tempDb.js';

const t = tempDb('risk');
afterEach(() => t.remove());

const DAY = 86_400_000;
const MAY_1 = Date.UTC(2024, 4, 1);

describe('RiskStateStore', () => {
  it('HALTED by the kill switch survives a restart, with its reason and history', () => {
    const db = t.open();
    const store = new RiskStateStore(db);
    expect(store.load()).toBeUndefined();
    store.save({ state: 'REDUCING', reason: 'drawdown 8% > 7%', since: MAY_1 + 1, killSwitch: false });
    store.save({
      state: 'HALTED',
      reason: 'kill switch by api user alice',
      since: MAY_1 + 2.5,
      killSwitch: true,
    });
    db.close();

    const again = new RiskStateStore(t.open());
    expect(again.load()).toEqual({
      state: 'HALTED',
      reason: 'kill switch by api user alice',
      since: MAY_1 + 2.5,
      killSwitch: true,
    });
    expect(again.history().map((r) => r.state)).toEqual(['HALTED', 'REDUCING']);
  });

  it('refuses a kill switch without HALTED', () => {
    const store = new RiskStateStore(t.open());
    expect(() => store.save({ state: 'ACTIVE', reason: 'x', since: 0, killSwitch: true })).toThrow(
      /implies HALTED/,
    );
  });

  it("keeps the first starting equity of each UTC day: a mid-day restart does not reset the day's loss", () => {
    const db = t.open();
    const store = new RiskStateStore(db);
    expect(store.recordDailyStartEquity(MAY_1 + 60_000, toFixed('10000.01'))).toBe(toFixed('10000.01'));
    db.close();
    const again = new RiskStateStore(t.open());
    // Restart at 15:00 after a loss: the morning's figure stays in force.
    expect(again.recordDailyStartEquity(MAY_1 + 15 * 3_600_000, toFixed('9500'))).toBe(toFixed('10000.01'));
    expect(again.dailyStartEquity(MAY_1 + DAY - 1)).toBe(toFixed('10000.01'));
    // A new UTC day starts from the new figure.
    expect(again.dailyStartEquity(MAY_1 + DAY)).toBeUndefined();
    expect(again.recordDailyStartEquity(MAY_1 + DAY, toFixed('9500'))).toBe(toFixed('9500'));
  });
});
