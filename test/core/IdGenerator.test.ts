import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IdGenerator } from '../../src/core/ids.js';

/** The id format as specified: prefix + the sequence in base 36, padded to 6 digits. */
function expected(prefix: string, seq: number): string {
  return prefix + seq.toString(36).padStart(6, '0');
}

describe('IdGenerator', () => {
  it('numbers ids prefix + base-36 sequence padded to 6 digits, across blocks of 36²', () => {
    const ids = new IdGenerator('Q');
    for (let seq = 1; seq <= 5000; seq++) expect(ids.next()).toBe(expected('Q', seq));
  });

  it('resumes after any count, also past 6 digits (property)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9]{1,12}$/),
        fc.oneof(
          fc.integer({ min: 0, max: 3000 }),
          fc.integer({ min: 36 ** 6 - 40, max: 36 ** 6 + 40 }),
          fc.nat(),
        ),
        (prefix, used) => {
          const ids = new IdGenerator(prefix);
          ids.resumeAfter(used);
          for (let k = 1; k <= 50; k++) expect(ids.next()).toBe(expected(prefix, used + k));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never goes back when told to resume before ids it already made', () => {
    const ids = new IdGenerator('A1');
    for (let k = 0; k < 2000; k++) ids.next();
    ids.resumeAfter(10);
    expect(ids.next()).toBe(expected('A1', 2001));
  });
});
