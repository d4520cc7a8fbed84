import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandQueue } from '../../src/storage/sqlite/CommandQueue.js';
import { RiskStateStore } from '../../src/storage/sqlite/RiskStateStore.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { qts } from '../support/runQts.js';

describe('operations CLI', () => {
  it('kill records HALTED with the kill-switch flag and queues the command; resume lifts it; backup copies the database', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-ops-'));
    const db = join(dir, 'trading.db');
    const kill = qts(['kill', '--db', db, '--flatten', '--reason', 'drill']);
    expect(kill.stderr).toMatch(/^warning: there was no database at /);
    expect(kill.code).toBe(0);
    const conn = openDatabase(db);
    expect(new RiskStateStore(conn).load()).toMatchObject({
      state: 'HALTED',
      reason: 'drill',
      killSwitch: true,
    });
    expect(new CommandQueue(conn).pending()).toMatchObject([
      { command: 'kill', args: { flatten: true, reason: 'drill' }, issuedBy: 'cli' },
    ]);
    expect(qts(['resume', '--db', db]).code).toBe(0);
    expect(new RiskStateStore(conn).load()).toMatchObject({ state: 'ACTIVE', killSwitch: false });
    conn.close();
    const out = join(dir, 'backup.db');
    const backup = qts(['db', 'backup', '--db', db, '--out', out]);
    expect(backup.stdout).toMatch(/integrity ok/);
    expect(existsSync(out)).toBe(true);
    expect(new RiskStateStore(openDatabase(out)).history(10).map((r) => r.state)).toEqual([
      'ACTIVE',
      'HALTED',
    ]);
    // A second backup to the same file must be asked for explicitly.
    expect(qts(['db', 'backup', '--db', db, '--out', out]).code).toBe(2);
  });

  it('without --db, kill, resume and backup use the engine’s database (DB_PATH), not a fixed data/trading.db', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-ops-'));
    const db = join(dir, 'engine.db');
    const inDir = (args: string[]) => qts(args, { cwd: dir, env: { ...process.env, DB_PATH: db } });
    const kill = inDir(['kill', '--reason', 'drill']);
    expect(kill.code, kill.stderr).toBe(0);
    expect(kill.stdout).toContain(`HALTED (kill switch) recorded in ${db}`);
    // A database made by the kill itself is said to be new: no engine was reading it.
    expect(kill.stderr).toMatch(/warning: there was no database at .*engine\.db/);
    expect(existsSync(join(dir, 'data/trading.db'))).toBe(false);
    const conn = openDatabase(db);
    expect(new RiskStateStore(conn).load()).toMatchObject({ state: 'HALTED', reason: 'drill' });
    conn.close();
    const resume = inDir(['resume']);
    expect(resume.code, resume.stderr).toBe(0);
    expect(resume.stderr).toBe('');
    const out = join(dir, 'backup.db');
    expect(inDir(['db', 'backup', '--out', out]).code).toBe(0);
    expect(new RiskStateStore(openDatabase(out)).load()).toMatchObject({ state: 'ACTIVE' });
  });

  it('live mode refuses to start without exchange keys, with a clear message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qts-live-'));
    const r = qts(['live', '--db', join(dir, 't.db')], {
      env: { ...process.env, KEYS_FILE: join(dir, 'none.enc.json') },
    });
    expect(r.code).toBe(2);
    expect(r.stderr + r.stdout).toMatch(/ERR_KEYS_MISSING/);
  });
});

describe('usage errors', () => {
  it('a value outside an option’s choices or an unknown command exits 2 with the error line last, not buried under the help', () => {
    for (const args of [['backtest', '--data', 'x.csv', '--fill', 'sideways'], ['bactest']]) {
      const r = qts(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^error: /m);
      expect(r.stderr).not.toMatch(/Usage:/);
      expect(r.stderr.trim().split('\n').length, r.stderr).toBeLessThanOrEqual(3);
    }
    expect(qts(['backtest', '--help']).code).toBe(0);
  });
});
