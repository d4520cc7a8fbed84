import { describe, expect, it } from 'vitest';
import { parseFixed, toFixed } from '../../src/core/Fixed.js';
import { parseSizing } from '../../src/portfolio/Sizer.js';
import { caught } from '../data/caught.js';

describe('parseSizing (the --sizing option)', () => {
  const step = toFixed(1);

  it('reads all-in, fixed:QTY exactly and percent:P', () => {
    expect(parseSizing('all-in', step)).toEqual({ kind: 'all-in', step });
    expect(parseSizing('fixed:0.1', step)).toEqual({ kind: 'fixed', quantity: parseFixed('0.1') });
    expect(parseSizing('percent:25', step)).toEqual({ kind: 'percent', percent: 25, step });
  });

  it.each(['fixed:abc', 'fixed:0', 'fixed:-1', 'fixed:', 'percent:0', 'percent:150', 'half', ''])(
    'refuses %j with ERR_INVALID_SIZING naming the option value',
    (text) => {
      const e = caught(() => parseSizing(text, step));
      expect(e.code).toBe('ERR_INVALID_SIZING');
      expect(e.message).toBe(`invalid sizing "${text}" (expected all-in, fixed:QTY or percent:1-100)`);
    },
  );
});
