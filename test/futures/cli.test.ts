import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { qts } from '../support/runQts.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';

const dir = mkdtempSync(join(tmpdir(), 'qts-futures-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const D = 'crypto/futures/';

describe.skipIf(!HAS_SHARED_DATA)('qts backtest --market futures', () => {
  const base = [
    'backtest',
    '--data',
    sharedFile(`${D}XRP_USDT_USDT-5m-futures.csv`),
    '--strategy',
    'sma-cross',
    '--params',
    'fast=10,slow=30',
    '--fill',
    'close',
    '--cash',
    '1000',
    '--commission',
    '0.0004',
    '--no-progress',
  ];

  it('runs a leveraged perpetual backtest with funding and mark files and reports the futures figures', () => {
    const json = join(dir, 'futures.json');
    const r = qts([
      ...base,
      '--market',
      'futures',
      '--leverage',
      '10',
      '--margin',
      'cross',
      '--funding',
      sharedFile(`${D}XRP_USDT_USDT-8h-funding_rate.csv`),
      '--mark',
      sharedFile(`${D}XRP_USDT_USDT-8h-mark.csv`),
      '--json',
      json,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/futures +cross margin, leverage 10x/);
    expect(r.stdout).toMatch(/funding +net -?\d/);
    expect(r.stdout).toMatch(/liquidations +\d+/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as {
      futures: {
        leverage: number;
        marginMode: string;
        fundingPayments: number;
        fundingNet: string;
        maxLeverageUsed: number;
      };
      finalEquityExact: string;
    };
    expect(report.futures.leverage).toBe(10);
    expect(report.futures.marginMode).toBe('CROSS');
    expect(report.futures.fundingPayments).toBeGreaterThan(0);
    expect(Number(report.futures.fundingNet)).not.toBe(0);
    // All-in sizing on 10x margin: the positions are several times the equity.
    expect(report.futures.maxLeverageUsed).toBeGreaterThan(5);
  });

  it('a leverage above the instrument maximum or a bad margin mode is a coded error, exit code 2', () => {
    const r = qts([...base, '--leverage', '500']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ERR_INVALID_LEVERAGE');
    const m = qts([...base, '--margin', 'both']);
    expect(m.code).not.toBe(0);
    expect(m.stderr).toContain('both');
  });

  it('a malformed funding file names the file and line', () => {
    const bad = join(dir, 'XRP_USDT_USDT-8h-funding_rate.csv');
    writeFileSync(bad, 'timestamp,funding_rate\n1637193600017,0.0001\n1637222400007,x\n');
    const r = qts([...base, '--funding', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`ERR_DATA_PARSE: ${bad}:3:`);
  });
});
