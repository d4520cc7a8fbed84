import { describe, expect, it } from 'vitest';
import { DataEngine } from '../../src/data/DataEngine.js';
import { MessageBus } from '../../src/kernel/MessageBus.js';
import { barsTopic, formingBarsTopic } from '../../src/kernel/topics.js';
import type { Bar } from '../../src/model/Bar.js';

const MIN = 60_000;
const bar = (i: number, c: number): Bar => ({
  symbol: 'X/Y',
  timeframe: '1m',
  ts: i * MIN,
  open: c,
  high: c,
  low: c,
  close: c,
  volume: 1,
  closed: true,
});

describe('DataEngine', () => {
  it('publishes base bars and every higher bar a gap completes, in order', () => {
    const bus = new MessageBus();
    const data = new DataEngine(bus);
    const got: string[] = [];
    bus.subscribe(barsTopic('X/Y', '1m'), (b) => got.push(`1m@${b.ts / MIN}`));
    bus.subscribe(barsTopic('X/Y', '5m'), (b) => got.push(`5m@${b.ts / MIN}:${b.close}`));
    data.requireBars('X/Y', '5m');
    data.registerBase('X/Y', '1m');
    data.onBar(bar(0, 1));
    data.onBar(bar(1, 2));
    // Gap: minutes 2–8 missing; minute 9 ends the 5–9 bucket, and the 0–4 bucket is now closed too.
    data.onBar(bar(9, 3));
    expect(got).toEqual(['1m@0', '1m@1', '1m@9', '5m@0:2', '5m@5:3']);
    expect(data.lastPrice('X/Y')).toBe(3);
  });

  it('sends the forming bar to its own topic only, and builds nothing from it', () => {
    const bus = new MessageBus();
    const data = new DataEngine(bus);
    const got: string[] = [];
    bus.subscribe(barsTopic('X/Y', '1m'), (b) => got.push(`closed@${b.ts / MIN}`));
    bus.subscribe(formingBarsTopic('X/Y', '1m'), (b) => got.push(`forming@${b.ts / MIN}:${b.close}`));
    bus.subscribe(barsTopic('X/Y', '5m'), (b) => got.push(`5m@${b.ts / MIN}`));
    data.requireBars('X/Y', '5m');
    data.registerBase('X/Y', '1m');
    for (let i = 0; i < 5; i++) data.onBar({ ...bar(i, 1 + i), closed: false });
    expect(got).toEqual(['forming@0:1', 'forming@1:2', 'forming@2:3', 'forming@3:4', 'forming@4:5']);
    expect(data.lastPrice('X/Y')).toBe(5);
  });
});
