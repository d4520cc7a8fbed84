/**
 * A process killed between a fill and the ledger snapshot after it (the journal commits the
 * fill first) left the fill out of the paper account for good. At the next start the fills
 * journaled after the last snapshot are booked again: cash and positions are those of the
 * account that made them, to the last unit.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import { formatFixed } from '../../src/core/Fixed.js';
import type { Ledger } from '../../src/portfolio/Ledger.js';
import { LedgerStore } from '../../src/storage/sqlite/LedgerStore.js';
import { RiskStateStore } from '../../src/storage/sqlite/RiskStateStore.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { until } from './support/http.js';
import { syntheticShadowConfig } from './support/syntheticShadowConfig.js';

function config(dbPath: string) {
  return syntheticShadowConfig(
    dbPath,
    { id: 'sma', strategy: 'sma-cross', params: { fast: 2, slow: 5 } },
    {},
    50,
  );
}

/** Cash and positions as exact decimal text. */
function account(ledger: Pick<Ledger, 'balances' | 'allPositions'>): unknown {
  return {
    cash: [...ledger.balances()].map(([c, a]) => [c, formatFixed(a)]),
    positions: ledger.allPositions().map((p) => [p.symbol, formatFixed(p.qty), formatFixed(p.costBasis)]),
  };
}

describe('a restart after a fill whose ledger snapshot was never saved', () => {
  it('books the journaled fills the last snapshot misses, and the account is the one that made them', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-ledger-replay-')), 'trading.db');
    const log = pino({ level: 'silent' });
    const first = await TradingRuntime.startShadow(config(dbPath), { log, noServices: true, noHttp: true });
    let before: unknown;
    try {
      await until(() => first.node.oms.orderCounts().filled >= 3, 'three fills', 30_000);
    } finally {
      await first.stop();
      before = account(first.node.portfolio.ledger);
    }
    // As if killed after the last fill's journal entry: every snapshot that holds it is gone.
    const db = openDatabase(dbPath);
    const last = db.prepare('SELECT max(rowid) FROM fills').pluck().get() as number;
    db.prepare('DELETE FROM ledger_snapshots WHERE fills_upto >= ?').run(last);
    const left = new LedgerStore(db).latest();
    // Halted by the kill switch, so the second run trades nothing (an order left open is
    // canceled at start) while the account is compared.
    new RiskStateStore(db).save({ state: 'HALTED', reason: 'compare', since: Date.now(), killSwitch: true });
    db.close();
    expect(left === undefined || (left.fillsUpto ?? 0) < last).toBe(true);

    const second = await TradingRuntime.startShadow(config(dbPath), { log, noServices: true, noHttp: true });
    try {
      expect(account(second.node.portfolio.ledger)).toEqual(before);
    } finally {
      await second.stop();
    }
  });
});
