import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DailySchedule, nextDailyAt } from '../../src/notify/DailySchedule.js';
import { dailySummaryNotification } from '../../src/notify/engineNotifications.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('daily summary schedule (injected time)', () => {
  it('next occurrence is the first HH:00 UTC strictly after now (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        fc.integer({ min: 0, max: 23 }),
        (now, hour) => {
          const next = nextDailyAt(now, hour);
          expect(next).toBeGreaterThan(now);
          expect(next - now).toBeLessThanOrEqual(DAY);
          const d = new Date(next);
          expect([d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()]).toEqual([
            hour,
            0,
            0,
            0,
          ]);
        },
      ),
    );
  });

  it('is due once per crossing of the hour, and once after a long sleep', () => {
    const start = Date.UTC(2024, 4, 1, 12, 30);
    const s = new DailySchedule(18, start);
    expect(s.nextAt).toBe(Date.UTC(2024, 4, 1, 18));
    const dueAt: number[] = [];
    // Poll every minute for three days.
    for (let t = start; t < start + 3 * DAY; t += 60_000) if (s.due(t)) dueAt.push(t);
    expect(dueAt).toEqual([Date.UTC(2024, 4, 1, 18), Date.UTC(2024, 4, 2, 18), Date.UTC(2024, 4, 3, 18)]);
    // Asleep for a week: one summary on waking, the next one at the following 18:00.
    expect(s.due(start + 10 * DAY)).toBe(true);
    expect(s.due(start + 10 * DAY + 1)).toBe(false);
    expect(s.nextAt).toBe(Date.UTC(2024, 4, 11, 18));
  });

  it('formats equity, PnL, fills and positions', () => {
    const n = dailySummaryNotification({
      time: Date.UTC(2024, 4, 2, 0, 0),
      mode: 'shadow',
      currency: 'USDT',
      equity: 10_250.5,
      previousEquity: 10_000,
      since: Date.UTC(2024, 4, 1, 0, 0),
      fills: 7,
      openOrders: 1,
      positions: ['BTC/USDT 0.01'],
      tradingState: 'ACTIVE',
    });
    expect(n.kind).toBe('daily-summary');
    expect(n.title).toBe('Daily summary 2024-05-02 (shadow): equity 10250.50 USDT, PnL +250.50');
    expect(n.text).toContain(
      `PnL since 2024-05-01 00:00 UTC: +250.50 USDT (+${((250.5 / 10_000) * 100).toFixed(2)} %)`,
    );
    expect(n.text).toContain('Fills: 7');
    expect(n.text).toContain('Positions: BTC/USDT 0.01');
    expect(n.dedupKey).toBe('daily-summary|2024-05-02');
  });
});
