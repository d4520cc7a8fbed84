import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const RECORDER = join(ROOT, 'test/cli/support/recordImports.mjs');

/** Runs `qts args` and returns the modules it loaded (resolved URLs) and its exit code. */
function modulesLoadedBy(args: string[]): { code: number; stdout: string; urls: string[] } {
  const log = join(mkdtempSync(join(tmpdir(), 'qts-imports-')), 'imports.log');
  const r = spawnSync(process.execPath, ['--import', RECORDER, join(ROOT, 'bin/qts.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    // The sources' import graph (a fresh build of them would load the same modules from dist/).
    env: { ...process.env, QTS_IMPORT_LOG: log, QTS_USE_DIST: '0' },
  });
  let urls: string[] = [];
  try {
    urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  } catch {
    // nothing was recorded: the assertions below say so
  }
  return { code: r.status ?? -1, stdout: r.stdout, urls };
}

/** Packages only the engine, downloads and distributed searches need: seconds of loading together. */
const HEAVY = /\/node_modules\/(ccxt|fastify|bullmq|ioredis|nodemailer)\//;

describe('qts start-up', () => {
  it('a command loads only what it runs: no exchange library, API server or queue client for --version, backtest --help or optimize --help', () => {
    for (const args of [
      ['--version'],
      ['backtest', '--help'],
      ['optimize', '--help'],
      ['shadow', '--help'],
    ]) {
      const r = modulesLoadedBy(args);
      expect(r.code, args.join(' ')).toBe(0);
      // The recorder did see the CLI's own modules: an empty list would prove nothing.
      expect(r.urls.some((u) => u.includes('/src/cli/program.'))).toBe(true);
      expect(
        r.urls.filter((u) => HEAVY.test(u)),
        args.join(' '),
      ).toEqual([]);
    }
  });

  it("a command loads no other command's module; --version loads none, and no strategy", () => {
    const commandModule = /\/src\/cli\/(\w+Commands?)\./;
    const commandsLoadedBy = (args: string[]): string[] => {
      const r = modulesLoadedBy(args);
      expect(r.code, args.join(' ')).toBe(0);
      return [
        ...new Set(r.urls.map((u) => commandModule.exec(u)?.[1]).filter((m) => m !== undefined)),
      ].sort();
    };
    expect(commandsLoadedBy(['backtest', '--help'])).toEqual(['backtestCommand']);
    expect(commandsLoadedBy(['data', 'gaps', '--help'])).toEqual(['dataCommand', 'downloadCommand']);
    const version = modulesLoadedBy(['--version']);
    expect(version.stdout.trim()).toBe('0.1.0');
    expect(version.urls.filter((u) => commandModule.test(u) || u.includes('/src/strategies/'))).toEqual([]);
    // Help lists every command, so it loads them all.
    const everyModule = readdirSync(join(ROOT, 'src/cli'))
      .map((f) => /^(\w+Commands?)\.ts$/.exec(f)?.[1])
      .filter((m) => m !== undefined)
      .sort();
    expect(everyModule.length).toBeGreaterThan(10);
    expect(commandsLoadedBy(['--help'])).toEqual(everyModule);
  });

  it('a backtest loads its own strategy only, and no trading-signals when the strategy uses none of it', () => {
    const data = resolve(ROOT, '../shared/data/crypto/spot-1m/UNITTEST_BTC-1m.csv');
    const run = (strategy: string) =>
      modulesLoadedBy(['backtest', '--data', data, '--strategy', strategy, '--no-progress']);
    const strategiesOf = (urls: string[]) =>
      [
        ...new Set(urls.map((u) => /\/src\/strategies\/(\w+)\./.exec(u)?.[1]).filter((m) => m !== undefined)),
      ].sort();
    const sma = run('sma-cross');
    expect(sma.code).toBe(0);
    expect(sma.stdout).toContain('sma-cross on UNITTEST/BTC');
    expect(strategiesOf(sma.urls)).toEqual(['SmaCross', 'loadStrategy']);
    expect(sma.urls.filter((u) => u.includes('/node_modules/trading-signals/'))).toEqual([]);
    // The recorder would see trading-signals: a strategy using its RSI loads it.
    const rsi = run('rsi');
    expect(rsi.code).toBe(0);
    expect(strategiesOf(rsi.urls)).toEqual(['RsiReversion', 'loadStrategy']);
    expect(rsi.urls.some((u) => u.includes('/node_modules/trading-signals/'))).toBe(true);
  });

  it('the engine is still loaded when a run command starts it (the lazy import resolves)', () => {
    // `qts live` without a confirmation refuses before it connects anywhere, after loading the app.
    const r = modulesLoadedBy(['live', '--db', join(mkdtempSync(join(tmpdir(), 'qts-live-')), 'x.db')]);
    expect(r.code).not.toBe(0);
    expect(r.urls.some((u) => u.includes('/src/app/bootstrap.'))).toBe(true);
  });
});
