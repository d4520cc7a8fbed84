import { describe, expect, it } from 'vitest';
import { qts } from '../support/runQts.js';
import { FIRST_IDS, LIBRARY_IDS } from './support/builtInIds.js';

const NEW_IDS: readonly string[] = LIBRARY_IDS;

describe('qts strategies --json (the real binary)', () => {
  it('lists all 22 built-ins, each parameter with a description, a default and, when numeric, a range', () => {
    const r = qts(['strategies', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const list = JSON.parse(r.stdout) as {
      id: string;
      description: string;
      params: {
        name: string;
        type: string;
        default?: unknown;
        min?: number;
        max?: number;
        enum?: unknown[];
        description?: string;
      }[];
    }[];
    expect(list).toHaveLength(22);
    const ids = list.map((s) => s.id);
    for (const id of [...FIRST_IDS, ...NEW_IDS]) expect(ids).toContain(id);
    for (const s of list.filter((x) => NEW_IDS.includes(x.id))) {
      expect(s.params.length, s.id).toBeGreaterThan(0);
      for (const p of s.params) {
        expect(p.description, `${s.id}.${p.name}`).toBeTruthy();
        expect(p.default, `${s.id}.${p.name}`).toBeDefined();
        // Numeric parameters take a range, or one of a fixed set of values (pairs-arbitrage significance).
        if ((p.type === 'number' || p.type === 'integer') && p.enum === undefined) {
          expect(typeof p.min, `${s.id}.${p.name}`).toBe('number');
          expect(typeof p.max, `${s.id}.${p.name}`).toBe('number');
        }
      }
    }
    expect(list.find((s) => s.id === 'pairs-arbitrage')?.params).toContainEqual(
      expect.objectContaining({ name: 'entryZ', default: 2, min: 0.5, max: 5 }),
    );
  });
});
