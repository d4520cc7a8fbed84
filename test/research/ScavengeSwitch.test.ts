import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScavengeSwitch } from '../../src/research/ScavengeSwitch.js';

describe('ScavengeSwitch', () => {
  it('serial scavenges exactly while at least one pool that fills every core is open', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(0 as const)), { maxLength: 60 }),
        (ops) => {
          const flags: string[] = [];
          const sw = new ScavengeSwitch((f) => flags.push(f), []);
          const open: (() => void)[] = [];
          let full = 0; // pools open with workers >= cores (2)
          const fills: boolean[] = [];
          for (const op of ops) {
            if (op === 0) {
              // Close the oldest open pool, twice: the second call must do nothing.
              const release = open.shift();
              if (release === undefined) continue;
              release();
              release();
              if (fills.shift()) full--;
            } else {
              open.push(sw.acquire(op, 2));
              fills.push(op >= 2);
              if (op >= 2) full++;
            }
            expect(sw.active).toBe(full > 0);
            // The last flag set says what V8 is doing; flags alternate, never repeat.
            expect(flags.at(-1) ?? '--parallel-scavenge').toBe(
              full > 0 ? '--no-parallel-scavenge' : '--parallel-scavenge',
            );
            for (let k = 1; k < flags.length; k++) expect(flags[k]).not.toBe(flags[k - 1]);
          }
        },
      ),
    );
  });

  it('leaves a choice the user gave node alone', () => {
    for (const arg of ['--no-parallel-scavenge', '--parallel_scavenge', '--single-threaded-gc']) {
      const flags: string[] = [];
      const sw = new ScavengeSwitch((f) => flags.push(f), ['--import', 'tsx', arg]);
      sw.acquire(8, 2)();
      expect(flags).toEqual([]);
      expect(sw.active).toBe(false);
    }
  });

  it('keeps parallel scavenges when a core is left idle for the helpers', () => {
    const flags: string[] = [];
    const sw = new ScavengeSwitch((f) => flags.push(f), []);
    sw.acquire(1, 2);
    sw.acquire(3, 4);
    expect(flags).toEqual([]);
  });
});
