import { afterEach, describe, expect, it } from 'vitest';
import { toFixed } from '../../src/core/Fixed.js';
import { isQtsError } from '../../src/core/QtsError.js';
import { RunStore } from '../../src/storage/sqlite/RunStore.js';
import { tempDb } from './tempDb.js';

const t = tempDb('runs');
afterEach(() => t.remove());

describe('RunStore', () => {
  it('records a run from start to stop with its config (exact amounts as decimal strings)', () => {
    const runs = new RunStore(t.open());
    runs.start({
      id: 'r1',
      mode: 'shadow',
      startedAt: 1000,
      config: { cash: toFixed('0.1'), strategies: ['sma'] },
    });
    expect(runs.get('r1')).toEqual({
      id: 'r1',
      mode: 'shadow',
      status: 'RUNNING',
      startedAt: 1000,
      stoppedAt: undefined,
      config: { cash: '0.1', strategies: ['sma'] },
      error: undefined,
    });
    runs.finish('r1', { stoppedAt: 2000, status: 'FAILED', error: 'ERR_X: boom' });
    expect(runs.get('r1')).toMatchObject({ status: 'FAILED', stoppedAt: 2000, error: 'ERR_X: boom' });
    let e: unknown;
    try {
      runs.finish('r1', { stoppedAt: 3000, status: 'STOPPED' });
    } catch (err) {
      e = err;
    }
    expect(isQtsError(e, 'ERR_DB_JOURNAL')).toBe(true);
  });

  it('marks runs that never recorded their end as INTERRUPTED at the next start', () => {
    const db = t.open();
    const runs = new RunStore(db);
    runs.start({ id: 'crashed', mode: 'live', startedAt: 1, config: {} });
    runs.start({ id: 'clean', mode: 'backtest', startedAt: 2, config: {} });
    runs.finish('clean', { stoppedAt: 3, status: 'STOPPED' });
    db.close();
    const again = new RunStore(t.open());
    expect(again.markInterrupted(10)).toEqual(['crashed']);
    expect(again.get('crashed')).toMatchObject({ status: 'INTERRUPTED', stoppedAt: 10 });
    expect(again.list().map((r) => r.id)).toEqual(['clean', 'crashed']);
    expect(again.list({ mode: 'live' }).map((r) => r.id)).toEqual(['crashed']);
  });
});
