import { describe, expect, it } from 'vitest';
import { LiveClock } from '../../src/kernel/LiveClock.js';

const DAY = 86_400_000;

/** Resolves when `check` holds, looking after each event-loop turn (no fixed sleep). */
function until(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const look = (): void => {
      if (check()) resolve();
      else setImmediate(look);
    };
    look();
  });
}

describe('LiveClock', () => {
  it('does not fire a timer or an alarm of more than 24.8 days after 1 ms (Node timer overflow)', async () => {
    const clock = new LiveClock();
    const fired: string[] = [];
    // A `dca --params interval=4w` timer: Node's setInterval would run it every millisecond.
    clock.setTimer('dca', 28 * DAY, (name) => fired.push(name));
    clock.setAlarm('far', clock.now() + 30 * DAY, (name) => fired.push(name));
    let probe = false;
    clock.setAlarm('probe', clock.now() + 30, () => (probe = true));
    await until(() => probe);
    expect(fired).toEqual([]);
    expect(clock.timerNames()).toEqual(['dca', 'far']);
    clock.dispose();
  });

  it('splits a wait longer than one event-loop timer and fires at its time, repeating', async () => {
    const clock = new LiveClock(() => Date.now(), 10);
    const start = clock.now();
    const times: number[] = [];
    const alarm: number[] = [];
    clock.setAlarm('a', start + 35, (_n, ts) => alarm.push(ts));
    clock.setTimer('t', 25, (_n, ts) => times.push(ts));
    await until(() => times.length >= 2 && alarm.length === 1);
    clock.cancelTimer('t');
    expect(alarm[0]).toBeGreaterThanOrEqual(start + 30); // not at the first 10 ms wait (timers may run ~1 ms early)
    expect(times[0]).toBeGreaterThanOrEqual(start + 20);
    expect(times[1]).toBeGreaterThanOrEqual((times[0] as number) + 20);
    expect(clock.timerNames()).toEqual([]);
  });
});
