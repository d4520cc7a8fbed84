import { afterEach, describe, expect, it } from 'vitest';
import { parseDateOption, parseDateRange } from '../../src/core/dateOption.js';
import { caught } from '../data/caught.js';

describe('--from/--to dates', () => {
  const zone = process.env['TZ'];
  afterEach(() => {
    if (zone === undefined) delete process.env['TZ'];
    else process.env['TZ'] = zone;
  });

  it('reads a day as UTC midnight, and a time without an offset as UTC on any machine', () => {
    // Node applies a TZ set at run time: the machine's zone must not move the cut.
    process.env['TZ'] = 'America/New_York';
    expect(parseDateOption('from', '2018-01-15')).toBe(Date.UTC(2018, 0, 15));
    expect(parseDateOption('from', '2018-01-15T06:30')).toBe(Date.UTC(2018, 0, 15, 6, 30));
    expect(parseDateOption('from', '2018-01-15T06:30:15.5Z')).toBe(Date.UTC(2018, 0, 15, 6, 30, 15, 500));
    expect(parseDateOption('to', '2018-01-15T06:30+02:00')).toBe(Date.UTC(2018, 0, 15, 4, 30));
    expect(parseDateOption('to', undefined)).toBeUndefined();
  });

  it('refuses what is not a real date instead of guessing one', () => {
    for (const text of [
      '1',
      '12',
      '2014',
      '2014-1-1',
      '2014-02-30',
      '2014-13-01',
      '2014-06-01T24:00',
      'May 5',
    ]) {
      const e = caught(() => parseDateOption('from', text));
      expect(e.code).toBe('ERR_INVALID_OPTION');
      expect(e.message).toContain(`--from: not a date "${text}"`);
    }
  });

  it('refuses an empty range, naming both options', () => {
    const e = caught(() => parseDateRange('2010-01-01', '2005-01-01'));
    expect(e.code).toBe('ERR_INVALID_OPTION');
    expect(e.message).toBe('--to 2005-01-01 must be after --from 2010-01-01');
    expect(() => parseDateRange('2010-01-01', '2010-01-01')).toThrow('must be after');
    expect(parseDateRange('2010-01-01', undefined)).toEqual({ from: Date.UTC(2010, 0, 1), to: undefined });
  });
});
