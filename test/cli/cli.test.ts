import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';
import { ROOT, qts } from '../support/runQts.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'qts-cli-'));
}

describe('qts CLI', () => {
  it('strategies --json lists every built-in with params, defaults and ranges', () => {
    const r = qts(['strategies', '--json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as {
      id: string;
      params: { name: string; default?: unknown; min?: number; max?: number }[];
    }[];
    const ids = list.map((s) => s.id);
    for (const id of ['sma-cross', 'ema-cross', 'rsi', 'macd', 'bollinger', 'grid', 'dca'])
      expect(ids).toContain(id);
    const sma = list.find((s) => s.id === 'sma-cross');
    expect(sma?.params).toContainEqual(
      expect.objectContaining({ name: 'fast', default: 10, min: 2, max: 200 }),
    );
  });

  it('backtest --help explains every option', () => {
    const r = qts(['backtest', '--help']);
    expect(r.code).toBe(0);
    for (const opt of [
      '--data',
      '--strategy',
      '--params',
      '--fill',
      '--commission',
      '--cash',
      '--sizing',
      '--lot',
      '--json',
      '--html',
      '--seed',
      '--adjusted',
    ]) {
      expect(r.stdout).toContain(opt);
    }
  });

  it('an unknown strategy fails listing the available ones', () => {
    const dir = tmp();
    const file = join(dir, 'X_USDT-1m.csv');
    writeFileSync(file, 'timestamp,open,high,low,close,volume\n0,1,1,1,1,1\n');
    const r = qts(['backtest', '--data', file, '--strategy', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /ERR_UNKNOWN_STRATEGY: unknown strategy "nope"; available: sma-cross, .*ema-cross/,
    );
  });

  it('a malformed candle file fails naming the file and line', () => {
    const dir = tmp();
    const file = join(dir, 'X_USDT-1m.csv');
    writeFileSync(file, 'timestamp,open,high,low,close,volume\n0,1,1,1,1,1\n60000,1,abc,1,1,1\n');
    const r = qts(['backtest', '--data', file, '--strategy', 'sma-cross']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:3`);
  });

  it('a directory given as --data fails with a coded error, not a stack trace', () => {
    const dir = tmp();
    const r = qts(['backtest', '--data', dir, '--strategy', 'sma-cross']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error ERR_DATA_UNREADABLE: ${dir}: is a directory, not a data file\n`);
  });

  it('a reader that closes stdout early (| head) costs neither a stack trace nor the report files', async () => {
    const dir = tmp();
    const file = join(dir, 'X_USDT-1m.csv');
    writeFileSync(file, 'timestamp,open,high,low,close,volume\n0,1,1,1,1,1\n60000,1,1,1,1,1\n');
    const json = join(dir, 'out.json');
    const child = spawn(
      process.execPath,
      [join(ROOT, 'bin/qts.js'), 'backtest', '--data', file, '--strategy', 'sma-cross', '--json', json],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // Closed before the CLI has started: every line it prints meets a closed pipe (EPIPE).
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toHaveProperty('tradeLogSha256');
  });

  it('a candle file whose name gives no pair fails with a coded error, not a stack trace', () => {
    const dir = tmp();
    const file = join(dir, 'prices.csv');
    writeFileSync(file, 'timestamp,open,high,low,close,volume\n0,1,1,1,1,1\n60000,1,1,1,1,1\n');
    const r = qts(['backtest', '--data', file, '--strategy', 'sma-cross']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error ERR_BACKTEST_SYMBOL: PRICES is not a BASE/QUOTE symbol: name a candle file for its pair, like BTC_USDT-1h.csv (BTC/USDT)\n',
    );
  });

  it('a --json path that cannot be written fails before the run, not after it', () => {
    const dir = tmp();
    const file = join(dir, 'X_USDT-1m.csv');
    writeFileSync(file, 'timestamp,open,high,low,close,volume\n0,1,1,1,1,1\n');
    const r = qts(['backtest', '--data', file, '--strategy', 'sma-cross', '--json', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error ERR_INVALID_OPTION: --json: ${dir} is a directory; give a file name\n`);
    expect(r.stdout).toBe('');
  });

  it('a report path that is the --data file fails before the run and leaves the candles intact', () => {
    const dir = tmp();
    const candles = 'timestamp,open,high,low,close,volume\n0,1,1,1,1,1\n';
    const file = join(dir, 'X_USDT-1m.csv');
    writeFileSync(file, candles);
    const r = qts(['backtest', '--data', file, '--strategy', 'sma-cross', '--json', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error ERR_INVALID_OPTION: --json: ${file} is an input of this run (${file}); give another file name\n`,
    );
    expect(readFileSync(file, 'utf8')).toBe(candles);
  });

  it('a blank numeric option is refused, not run as 0', () => {
    const dir = tmp();
    const file = join(dir, 'X_USDT-1m.csv');
    writeFileSync(file, 'timestamp,open,high,low,close,volume\n0,1,1,1,1,1\n');
    const r = qts(['backtest', '--data', file, '--strategy', 'sma-cross', '--commission', '']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'error ERR_INVALID_OPTION: --commission: invalid value "" (a plain decimal number such as 5 or 0.001)\n',
    );
    expect(r.stdout).toBe('');
  });

  it('the same symbol twice in --data fails naming both files', () => {
    const dir = tmp();
    const a = join(dir, 'X_USDT-1m.csv');
    const b = join(dir, 'X_USDT-1m.json');
    writeFileSync(a, 'timestamp,open,high,low,close,volume\n0,1,1,1,1,1\n');
    writeFileSync(b, '[[0,1,1,1,1,1]]');
    const r = qts(['backtest', '--data', `${a},${b}`, '--strategy', 'sma-cross']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error ERR_BACKTEST_DUPLICATE_SYMBOL: --data: ${a} and ${b} are both X/USDT: one file per symbol\n`,
    );
  });

  it('a --from/--to that leaves no bar fails instead of reporting an empty run', () => {
    const dir = tmp();
    const file = join(dir, 'X_USDT-1m.csv');
    writeFileSync(file, 'timestamp,open,high,low,close,volume\n0,1,1,1,1,1\n60000,1,1,1,1,1\n');
    const json = join(dir, 'out.json');
    const r = qts([
      'backtest',
      '--data',
      file,
      '--strategy',
      'sma-cross',
      '--from',
      '2030-01-01',
      '--json',
      json,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ERR_BACKTEST_NO_DATA: no bars left in the data after --from/--to');
    expect(r.stdout).toBe('');
    expect(existsSync(json)).toBe(false);
  });

  describe.skipIf(!HAS_SHARED_DATA)('on shared data', () => {
    const orcl = sharedFile('stocks-daily/orcl-1995-2014.txt');

    it('invalid params name the parameter', () => {
      const r = qts(['backtest', '--data', orcl, '--strategy', 'sma-cross', '--params', 'fast=50,slow=10']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/ERR_INVALID_PARAMS: .*fast: fast must be smaller than slow/);
      const r2 = qts(['backtest', '--data', orcl, '--strategy', 'sma-cross', '--params', 'fast=abc']);
      expect(r2.stderr).toMatch(/fast: /);
    });

    it('the documented backtest form writes JSON and HTML reports, deterministically', () => {
      const dir = tmp();
      const args = (n: string) => [
        'backtest',
        '--data',
        orcl,
        '--strategy',
        'sma-cross',
        '--params',
        'fast=10,slow=30',
        '--fill',
        'close',
        '--commission',
        '0.001',
        '--cash',
        '100000',
        '--sizing',
        'all-in',
        '--json',
        join(dir, `${n}.json`),
        '--html',
        join(dir, `${n}.html`),
      ];
      const a = qts(args('a'));
      // Stock data has exchange holidays: a gap warning naming the file, nothing else.
      expect(a.stderr).not.toMatch(/error/i);
      expect(a.code).toBe(0);
      expect(a.stdout).toMatch(/final equity\s+\d/);
      const b = qts(args('b'));
      expect(b.code).toBe(0);
      const ra = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8')) as Record<string, unknown>;
      const rb = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8')) as Record<string, unknown>;
      for (const key of [
        'finalEquity',
        'orders',
        'trades',
        'sharpe',
        'maxDrawdown',
        'cagr',
        'winRate',
        'profitFactor',
        'tradeLogSha256',
      ]) {
        expect(ra).toHaveProperty(key);
      }
      expect(ra['orders']).toBeGreaterThan(10);
      expect(ra['tradeLogSha256']).toMatch(/^[0-9a-f]{64}$/);
      expect(rb['tradeLogSha256']).toBe(ra['tradeLogSha256']);
      expect(rb['finalEquityExact']).toBe(ra['finalEquityExact']);
      const html = readFileSync(join(dir, 'a.html'), 'utf8');
      expect(html).toContain('<svg');
      expect(html).not.toMatch(/<script[^>]+src=|https?:\/\/(?!www\.w3\.org)/);
    });
  });
});

describe.runIf(HAS_SHARED_DATA)('qts backtest summary', () => {
  /** The README's ORCL sma-cross backtest with the default fill (next open), plus `extra`. */
  const orcl = (extra: string[]) =>
    qts([
      'backtest',
      '--data',
      sharedFile('stocks-daily/orcl-1995-2014.txt'),
      '--strategy',
      'sma-cross',
      ...extra,
    ]);

  it('says that futures-only options given to a spot run are ignored, and nothing of the kind without them', () => {
    const levered = orcl(['--leverage', '5', '--mmr', '0.01']);
    expect(levered.code).toBe(0);
    expect(levered.stderr).toContain('warning: --leverage, --mmr: futures only');
    expect(orcl([]).stderr).not.toContain('futures only');
  });
  it.runIf(existsSync('/dev/full'))(
    'a report that cannot be written (a full disk) keeps neither the summary nor the other report from the user',
    () => {
      const html = join(tmp(), 'r.html');
      const r = orcl(['--json', '/dev/full', '--html', html]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error ERR_OUTPUT_WRITE: cannot write \/dev\/full \(ENOSPC\)/);
      expect(r.stdout).toMatch(/final equity\s+\d/);
      expect(readFileSync(html, 'utf8')).toContain('<svg');
    },
  );

  it('says how many orders were sent and why the others never filled (all-in buys refused at a higher next open)', () => {
    const out = join(tmp(), 'r.json');
    const r = orcl(['--json', out]);
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      orders: number;
      ordersTotal: number;
      ordersDenied: number;
      ordersOpen: number;
      ordersRefused: Record<string, number>;
    };
    const missing = report.ordersTotal - report.orders;
    expect(missing).toBeGreaterThan(0);
    // sma-cross only trades at market and is flat or long at the end: no order is left open,
    // and every one that did not fill was a buy the venue canceled for cash at the open.
    expect(report.ordersOpen).toBe(0);
    expect(report.ordersRefused).toEqual({ ERR_INSUFFICIENT_FUNDS: missing - report.ordersDenied });
    expect(r.stdout).toContain(
      `orders filled     ${report.orders} of ${report.ordersTotal} (${missing} not filled: ${report.ordersDenied} denied by risk, ${missing - report.ordersDenied} rejected, canceled or expired at the venue; refused: ERR_INSUFFICIENT_FUNDS ×${missing - report.ordersDenied}) · fees`,
    );
    expect(r.stdout).toContain('note              buys refused for cash were sized on the signal bar');
  });
});
