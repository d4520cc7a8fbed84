import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandQueue } from '../../src/storage/sqlite/CommandQueue.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';

describe('CommandQueue', () => {
  it('hands pending commands across connections once, in order, until completed', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'qts-cmd-')), 'trading.db');
    const engine = new CommandQueue(openDatabase(path));
    const cli = new CommandQueue(openDatabase(path));
    const a = cli.enqueue({
      ts: 1,
      command: 'kill',
      args: { flatten: true, reason: 'test' },
      issuedBy: 'cli',
    });
    const b = cli.enqueue({ ts: 2, command: 'resume', args: {}, issuedBy: 'cli' });
    expect(engine.pending()).toEqual([
      { id: a, ts: 1, command: 'kill', args: { flatten: true, reason: 'test' }, issuedBy: 'cli' },
      { id: b, ts: 2, command: 'resume', args: {}, issuedBy: 'cli' },
    ]);
    engine.complete(a, true, 'canceled 2 orders', 10);
    expect(engine.pending().map((c) => c.id)).toEqual([b]);
    engine.complete(b, false, 'kill switch is set', 11);
    expect(cli.pending()).toEqual([]);
  });
});
