import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Exchange } from 'ccxt';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { registerDownloadCommand } from '../../src/cli/downloadCommand.js';
import { isQtsError } from '../../src/core/QtsError.js';
import { createExchange } from '../../src/exchanges/ccxt/createExchange.js';
import { barAt } from '../../src/model/BarSeries.js';
import { CandleStore } from '../../src/storage/sqlite/CandleStore.js';
import { openDatabase } from '../../src/storage/sqlite/openDatabase.js';
import { FakeBinance } from '../support/fakeBinance/FakeBinance.js';
import { loadTradesCsv } from '../support/fakeBinance/loadTradesCsv.js';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import { loadBars, XRP_ETH_1M, XRP_ETH_TRADES } from '../marketdata/fixtures.js';

const M = 60_000;
let fake: FakeBinance | undefined;
let dir: string | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Runs `data download …` with the exchange pointed at the fake; returns stdout, or the error. */
async function run(
  args: string[],
  onExchange: (ex: Exchange) => void = () => undefined,
): Promise<{ out: string; error: unknown }> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  const data = new Command('data').exitOverride();
  registerDownloadCommand(data, {
    createExchange: async (id) => {
      const ex = createExchange({ id });
      await (fake as FakeBinance).configure(ex);
      onExchange(ex);
      return ex;
    },
    stdout,
    stderr: new PassThrough(),
  });
  let error: unknown;
  try {
    await data.parseAsync(['download', ...args], { from: 'user' });
  } catch (e) {
    error = e;
  }
  return { out, error };
}

describe('qts data download dates', () => {
  it('refuses a date that does not exist or is not a date, before any request, as the other date options do', async () => {
    for (const since of ['2014-02-30', '1']) {
      const r = await run(['--symbol', 'XRP/ETH', '--since', since, '--no-progress']);
      expect(isQtsError(r.error, 'ERR_INVALID_OPTION'), since).toBe(true);
      expect((r.error as Error).message).toContain(`--since: not a date "${since}"`);
    }
  });
});

describe.skipIf(!HAS_SHARED_DATA)('qts data download against the fake Binance', () => {
  it('pages 1000 candles at a time, resumes after an interruption, stores every candle once', async () => {
    const trades = loadTradesCsv(XRP_ETH_TRADES);
    const last = trades.at(-1)?.ts as number;
    // Every trade is history: the whole candle range is served by REST.
    fake = await FakeBinance.start({ markets: [{ symbol: 'XRP/ETH', trades, startTime: last + 1 }] });
    dir = mkdtempSync(join(tmpdir(), 'qts-download-'));
    const db = join(dir, 'trading.db');
    const want = loadBars(XRP_ETH_1M, 'XRP/ETH');
    const first = want[0]?.ts as number;
    const until = (want.at(-1)?.ts as number) + M;
    const args = [
      '--symbol',
      'XRP/ETH',
      '--since',
      new Date(first).toISOString(),
      '--until',
      new Date(until).toISOString(),
    ];
    args.push('--db', db, '--no-progress', '--attempts', '1');

    // First run: the second page answers 500 (the gateway in front of Binance failing).
    const interrupted = await run(args, (ex) => {
      const fetchOHLCV = ex.fetchOHLCV.bind(ex);
      let calls = 0;
      ex.fetchOHLCV = (...a: Parameters<Exchange['fetchOHLCV']>) => {
        if (++calls === 2) (fake as FakeBinance).faults.failRest('/api/v3/klines', 500, 1);
        return fetchOHLCV(...a);
      };
    });
    expect(isQtsError(interrupted.error, 'ERR_EXCHANGE_REQUEST')).toBe(true);
    let conn = openDatabase(db);
    expect(new CandleStore(conn).count('binance', 'XRP/ETH', '1m')).toBe(1000);
    conn.close();
    const klineCalls = (): number =>
      (fake as FakeBinance).log.filter((e) => e.path === '/api/v3/klines').length;
    expect(klineCalls()).toBe(2);

    // Second run resumes at the last stored candle and completes.
    const resumed = await run(args);
    expect(resumed.error).toBeUndefined();
    expect(klineCalls()).toBe(2 + 2); // from the last stored candle: 1470 candles, 2 pages, then --until is reached
    conn = openDatabase(db);
    const store = new CandleStore(conn);
    const got = store.range('binance', 'XRP/ETH', '1m');
    conn.close();
    const bars = Array.from({ length: got.length }, (_, i) => barAt(got, i));
    expect(bars).toEqual(want); // no candle missing, none twice, every value the exchange's

    // The gap report: the quiet minutes (no trade, so no candle) of the window.
    const quiet = (until - first) / M - want.length;
    const runs = want.filter((b, i) => i > 0 && b.ts - (want[i - 1]?.ts as number) > M).length;
    expect(resumed.out).toContain(`resumed at ${new Date(want[999]?.ts as number).toISOString()}`);
    expect(resumed.out).toContain(
      `gaps in ${new Date(first).toISOString()} … ${new Date(until).toISOString()}: ${runs} (${quiet} candle(s) missing)`,
    );
    expect(fake.privateRequestCount()).toBe(0);
  });
});
