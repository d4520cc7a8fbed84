import { describe, expect, it } from 'vitest';
import { TestClock } from '../../src/kernel/Clock.js';
import { MessageBus, topic } from '../../src/kernel/MessageBus.js';
import { Component } from '../../src/kernel/Component.js';

describe('TestClock', () => {
  it('fires timers and alarms in time order (ties by name) while advancing', () => {
    const clock = new TestClock(0);
    const fired: string[] = [];
    clock.setTimer('b', 10, (n, ts) => fired.push(`${n}@${ts}`));
    clock.setTimer('a', 10, (n, ts) => fired.push(`${n}@${ts}`));
    clock.setAlarm('once', 15, (n, ts) => fired.push(`${n}@${ts}`));
    clock.advanceTo(25);
    expect(fired).toEqual(['a@10', 'b@10', 'once@15', 'a@20', 'b@20']);
    expect(clock.now()).toBe(25);
    expect(clock.timerNames()).toEqual(['a', 'b']);
  });

  it('sees time as of the firing inside a callback and never goes back', () => {
    const clock = new TestClock(100);
    const seen: number[] = [];
    clock.setTimer('t', 50, () => seen.push(clock.now()));
    clock.advanceTo(260);
    expect(seen).toEqual([150, 200, 250]);
    expect(() => clock.advanceTo(10)).toThrowError(/cannot go back/);
  });

  it('a timer canceled inside a callback does not fire again', () => {
    const clock = new TestClock(0);
    let count = 0;
    clock.setTimer('t', 1, () => {
      count++;
      if (count === 3) clock.cancelTimer('t');
    });
    clock.advanceTo(100);
    expect(count).toBe(3);
  });
});

describe('MessageBus', () => {
  it('delivers synchronously in subscription order and unsubscribes', () => {
    const bus = new MessageBus();
    const t = topic<number>('x');
    const got: string[] = [];
    const off = bus.subscribe(t, (n) => got.push(`a${n}`));
    bus.subscribe(t, (n) => got.push(`b${n}`));
    bus.publish(t, 1);
    off();
    bus.publish(t, 2);
    bus.publish(topic<number>('other'), 3);
    expect(got).toEqual(['a1', 'b1', 'b2']);
    expect(bus.hasSubscribers(t)).toBe(true);
  });

  it('a handler subscribing during publish is not called for that message', () => {
    const bus = new MessageBus();
    const t = topic<string>('y');
    const got: string[] = [];
    bus.subscribe(t, (m) => {
      got.push(`first:${m}`);
      if (m === 'one') bus.subscribe(t, (n) => got.push(`late:${n}`));
    });
    bus.publish(t, 'one');
    bus.publish(t, 'two');
    expect(got).toEqual(['first:one', 'first:two', 'late:two']);
  });
});

describe('Component', () => {
  class Probe extends Component {
    calls: string[] = [];
    fail = false;
    protected override onStart(): void {
      if (this.fail) throw new Error('boom');
      this.calls.push('start');
    }
    protected override onStop(): void {
      this.calls.push('stop');
    }
  }

  it('starts and stops once, and a failed start is FAULTED', () => {
    const p = new Probe('p');
    p.start();
    p.start();
    p.stop();
    p.stop();
    expect(p.calls).toEqual(['start', 'stop']);
    expect(p.state).toBe('STOPPED');
    const f = new Probe('f');
    f.fail = true;
    expect(() => f.start()).toThrowError('boom');
    expect(f.state).toBe('FAULTED');
  });
});
