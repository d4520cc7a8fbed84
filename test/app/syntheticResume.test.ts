/**
 * The synthetic market of shadow mode used to start again at the wall clock and at its start
 * prices on every start, and ran 120x ahead of the wall clock: fill times ran backwards across
 * restarts, PnL by day showed future days, and a held position was revalued at the restarted
 * walk's price. Now a restart continues after the last stored bar, from its close, and no bar
 * is delivered before the (here fake) wall clock has passed its end.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import type { Bar } from '../../src/model/Bar.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { until } from './support/http.js';
import { syntheticShadowConfig } from './support/syntheticShadowConfig.js';

const SYMBOL = 'BTC/USDT';
const MIN = 60_000;

function config(dbPath: string) {
  return syntheticShadowConfig(dbPath, { id: 'sma', strategy: 'sma-cross', params: { fast: 2, slow: 5 } });
}

/** A shadow engine on `dbPath` whose wall clock reads `wall`, and the closed bars it saw with the clock's time. */
async function start(dbPath: string, wall: number) {
  const rt = await TradingRuntime.startShadow(config(dbPath), {
    log: pino({ level: 'silent' }),
    noServices: true,
    noHttp: true,
    wallClock: () => wall,
  });
  const bars = (): readonly Bar[] => rt.recentBars.get(SYMBOL, '1m');
  return { rt, bars };
}

function fillTimes(dbPath: string): number[] {
  const db = openDatabase(dbPath);
  try {
    return db.prepare('SELECT ts FROM fills ORDER BY rowid').pluck().all() as number[];
  } finally {
    db.close();
  }
}

describe('the synthetic market across a restart', () => {
  it('continues after the last bar of the previous run, from its close, and never dates a bar after the wall clock', async () => {
    const dbPath = join(mkdtempSync(join(tmpdir(), 'qts-synthetic-resume-')), 'trading.db');
    const wall1 = Date.UTC(2024, 0, 10, 12, 0, 30);
    const first = await start(dbPath, wall1);
    try {
      await until(
        () => first.bars().length >= 30 && first.rt.node.oms.orderCounts().filled >= 1,
        '30 bars and a fill',
        30_000,
      );
    } finally {
      await first.rt.stop();
    }
    const run1 = first.bars();
    const last = run1.at(-1);
    for (const b of run1) expect(b.ts + MIN).toBeLessThanOrEqual(wall1);
    const fills1 = fillTimes(dbPath);
    expect(fills1.length).toBeGreaterThan(0);
    for (const t of fills1) expect(t).toBeLessThanOrEqual(wall1);

    // Five minutes later on the wall clock.
    const wall2 = wall1 + 5 * MIN;
    const second = await start(dbPath, wall2);
    try {
      await until(() => second.bars().length >= 30, '30 bars of the second run', 30_000);
    } finally {
      await second.rt.stop();
    }
    const run2 = second.bars();
    expect(run2[0]?.ts).toBe((last?.ts as number) + MIN);
    expect(run2[0]?.open).toBe(last?.close);
    for (const b of run2) expect(b.ts + MIN).toBeLessThanOrEqual(wall2);
    // Fill times only move forward: every fill of the second run comes after those of the first.
    const fills2 = fillTimes(dbPath).slice(fills1.length);
    for (const t of fills2) {
      expect(t).toBeGreaterThan(Math.max(...fills1));
      expect(t).toBeLessThanOrEqual(wall2);
    }
  });
});
