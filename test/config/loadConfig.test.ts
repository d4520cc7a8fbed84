import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isQtsError } from '../../src/core/QtsError.js';
import { loadConfig } from '../../src/config/loadConfig.js';
import { EMPTY_CONFIG } from '../support/emptyConfig.js';

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'qts-config-'));
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('loadConfig', () => {
  it('defaults to shadow on port 3000 with auto market data, and ports follow the mode', () => {
    const d = dir();
    const cfg = loadConfig({
      file: undefined,
      strategiesDir: join(d, 'none'),
      env: { QTS_CONFIG: EMPTY_CONFIG },
    });
    expect(cfg.mode).toBe('shadow');
    expect(cfg.api.port).toBe(3000);
    expect(cfg.marketData.source).toBe('auto');
    expect(cfg.storage.dbPath).toBe('data/trading.db');
    expect(
      loadConfig({ strategiesDir: join(d, 'none'), env: { TRADING_MODE: 'api', QTS_CONFIG: EMPTY_CONFIG } })
        .api.port,
    ).toBe(3002);
    expect(
      loadConfig({ strategiesDir: join(d, 'none'), env: { TRADING_MODE: 'live', QTS_CONFIG: EMPTY_CONFIG } })
        .api.port,
    ).toBe(3001);
  });

  it('merges the file, one file per strategy, env, then overrides', () => {
    const d = dir();
    const file = join(d, 'qts.json');
    writeFileSync(
      file,
      JSON.stringify({ account: { currency: 'BTC', initialCash: 2 }, risk: { maxOpenOrders: 7 } }),
    );
    mkdirSync(join(d, 'strategies'));
    writeFileSync(
      join(d, 'strategies', 'b.json'),
      JSON.stringify({ id: 'b', strategy: 'rsi', symbols: ['ETH/BTC'], timeframe: '5m' }),
    );
    writeFileSync(
      join(d, 'strategies', 'a.json'),
      JSON.stringify({ id: 'a', strategy: 'sma-cross', symbols: ['LTC/BTC'], params: { fast: 5, slow: 20 } }),
    );
    const cfg = loadConfig({
      file,
      strategiesDir: join(d, 'strategies'),
      env: { API_PORT: '4100', LOG_LEVEL: 'debug' },
      overrides: { 'risk.maxOpenOrders': 9 },
    });
    expect(cfg.account).toEqual({ currency: 'BTC', initialCash: 2, commission: 0.001 });
    expect(cfg.strategies.map((s) => [s.id, s.timeframe, s.sizing])).toEqual([
      ['a', '1m', 'percent:10'],
      ['b', '5m', 'percent:10'],
    ]);
    expect(cfg.api.port).toBe(4100);
    expect(cfg.log.level).toBe('debug');
    expect(cfg.risk.maxOpenOrders).toBe(9);
  });

  it('names the bad setting and the file', () => {
    const d = dir();
    mkdirSync(join(d, 's'));
    writeFileSync(
      join(d, 's', 'bad.json'),
      JSON.stringify({ id: 'x', strategy: 'rsi', symbols: ['btcusdt'] }),
    );
    const e1 = caught(() => loadConfig({ strategiesDir: join(d, 's'), env: { QTS_CONFIG: EMPTY_CONFIG } }));
    expect(isQtsError(e1, 'ERR_CONFIG')).toBe(true);
    expect((e1 as Error).message).toMatch(/bad\.json: symbols\.0: symbols look like BTC\/USDT/);
    const e2 = caught(() =>
      loadConfig({
        strategiesDir: join(d, 'none'),
        env: { TRADING_MODE: 'paper', QTS_CONFIG: EMPTY_CONFIG },
      }),
    );
    expect((e2 as Error).message).toMatch(/mode/);
    const broken = join(d, 'broken.json');
    writeFileSync(broken, '{ "mode": ');
    expect(
      isQtsError(
        caught(() => loadConfig({ file: broken })),
        'ERR_CONFIG_FILE',
      ),
    ).toBe(true);
    expect(
      isQtsError(
        caught(() => loadConfig({ file: join(d, 'missing.json') })),
        'ERR_CONFIG_FILE',
      ),
    ).toBe(true);
    // Named by QTS_CONFIG and missing: refused too, or a live start would run on built-in defaults.
    const viaEnv = caught(() =>
      loadConfig({
        strategiesDir: join(d, 'none'),
        env: { QTS_CONFIG: join(d, 'gone.json'), TRADING_MODE: 'live' },
      }),
    );
    expect(isQtsError(viaEnv, 'ERR_CONFIG_FILE')).toBe(true);
    expect((viaEnv as Error).message).toContain('gone.json (QTS_CONFIG)');
  });

  it('refuses a key it does not know, in the main file and in a strategy file, naming it', () => {
    const d = dir();
    const file = join(d, 'q.json');
    writeFileSync(
      file,
      JSON.stringify({
        risk: { maxOrderNotionl: 5000 },
        live: { perpetuals: { 'BTC/USDT:USDT': { leverage: 5, marginmode: 'cross' } } },
        strategies: [{ id: 'a', strategy: 'rsi', symbols: ['ETH/BTC'], param: { period: 3 } }],
      }),
    );
    const e = caught(() => loadConfig({ file, strategiesDir: join(d, 'none'), env: {} }));
    expect(isQtsError(e, 'ERR_CONFIG')).toBe(true);
    expect((e as Error).message).toContain(file);
    expect((e as Error).message).toMatch(
      /unknown settings risk\.maxOrderNotionl, live\.perpetuals\.BTC\/USDT:USDT\.marginmode, strategies\.0\.param\b/,
    );
    mkdirSync(join(d, 's'));
    writeFileSync(
      join(d, 's', 'typo.json'),
      JSON.stringify({ id: 'x', strategy: 'rsi', symbols: ['ETH/BTC'], parameters: { period: 3 } }),
    );
    const e2 = caught(() => loadConfig({ strategiesDir: join(d, 's'), env: { QTS_CONFIG: EMPTY_CONFIG } }));
    expect(isQtsError(e2, 'ERR_CONFIG')).toBe(true);
    expect((e2 as Error).message).toMatch(/typo\.json: unknown setting parameters\b/);
  });

  it('reads true/1 and false/0 (any case) for a switch and refuses any other value by its variable', () => {
    const d = dir();
    const load = (env: NodeJS.ProcessEnv) =>
      loadConfig({ strategiesDir: join(d, 'none'), env: { QTS_CONFIG: EMPTY_CONFIG, ...env } });
    expect(load({ EXCHANGE_SANDBOX: 'TRUE' }).exchange.sandbox).toBe(true);
    expect(load({ EXCHANGE_SANDBOX: '1' }).exchange.sandbox).toBe(true);
    expect(load({ METRICS_ENABLED: 'False' }).metrics.enabled).toBe(false);
    expect(load({ PUSH_ENABLED: '0' }).push.enabled).toBe(false);
    for (const [name, path] of [
      ['EXCHANGE_SANDBOX', 'exchange.sandbox'],
      ['AUDIT_FSYNC', 'audit.fsync'],
      ['SMTP_SECURE', 'notifications.email.secure'],
    ] as const) {
      const e = caught(() => load({ [name]: 'yes' }));
      expect(isQtsError(e, 'ERR_CONFIG'), name).toBe(true);
      expect((e as Error).message).toContain(`${path}: `);
      expect((e as Error).message).toContain(`(from ${name})`);
    }
  });

  it('says where a bad value came from: the file, the variable or the command line', () => {
    const d = dir();
    const file = join(d, 'q.json');
    writeFileSync(file, JSON.stringify({ account: { initialCash: '10' } }));
    const e = caught(() =>
      loadConfig({
        file,
        strategiesDir: join(d, 'none'),
        env: { LOG_LEVEL: 'verbose' },
        overrides: { 'api.port': 70_000 },
      }),
    ) as Error;
    expect(e.message).toContain(
      `account.initialCash: Invalid input: expected number, received string (in ${file})`,
    );
    expect(e.message).toMatch(/log\.level: [^;]* \(from LOG_LEVEL\)/);
    expect(e.message).toMatch(/api\.port: [^;]* \(from the command line\)/);
  });

  it('warms strategies up on 300 bars by default; WARMUP_BARS or the file set it, 0 turns it off, a bad value or misspelt key is refused', () => {
    const d = dir();
    const base = { strategiesDir: join(d, 'none') };
    expect(loadConfig({ ...base, env: { QTS_CONFIG: EMPTY_CONFIG } }).marketData.warmupBars).toBe(300);
    expect(
      loadConfig({ ...base, env: { QTS_CONFIG: EMPTY_CONFIG, WARMUP_BARS: '0' } }).marketData.warmupBars,
    ).toBe(0);
    const file = join(d, 'qts.json');
    writeFileSync(file, JSON.stringify({ marketData: { warmupBars: 50 } }));
    expect(loadConfig({ ...base, file, env: {} }).marketData.warmupBars).toBe(50);
    for (const bad of ['-1', '1.5', 'many', '5001']) {
      const e = caught(() => loadConfig({ ...base, env: { QTS_CONFIG: EMPTY_CONFIG, WARMUP_BARS: bad } }));
      expect(isQtsError(e), bad).toBe(true);
      expect(String((e as Error).message)).toContain('warmupBars');
    }
    writeFileSync(file, JSON.stringify({ marketData: { warmUpBars: 50 } }));
    const e = caught(() => loadConfig({ ...base, file, env: {} }));
    expect(String((e as Error).message)).toContain('marketData.warmUpBars');
  });

  it('bounds the warm-up fetch to 30 s by default; WARMUP_TIMEOUT_MS or the file set it, a bad value or misspelt key is refused', () => {
    const d = dir();
    const base = { strategiesDir: join(d, 'none') };
    expect(loadConfig({ ...base, env: { QTS_CONFIG: EMPTY_CONFIG } }).marketData.warmupTimeoutMs).toBe(
      30_000,
    );
    expect(
      loadConfig({ ...base, env: { QTS_CONFIG: EMPTY_CONFIG, WARMUP_TIMEOUT_MS: '5000' } }).marketData
        .warmupTimeoutMs,
    ).toBe(5_000);
    const file = join(d, 'qts.json');
    writeFileSync(file, JSON.stringify({ marketData: { warmupTimeoutMs: 60_000 } }));
    expect(loadConfig({ ...base, file, env: {} }).marketData.warmupTimeoutMs).toBe(60_000);
    for (const bad of ['0', '999', '1.5', 'soon', '600001']) {
      const e = caught(() =>
        loadConfig({ ...base, env: { QTS_CONFIG: EMPTY_CONFIG, WARMUP_TIMEOUT_MS: bad } }),
      );
      expect(isQtsError(e), bad).toBe(true);
      expect(String((e as Error).message)).toContain('warmupTimeoutMs');
    }
    writeFileSync(file, JSON.stringify({ marketData: { warmupTimeout: 5_000 } }));
    const e = caught(() => loadConfig({ ...base, file, env: {} }));
    expect(String((e as Error).message)).toContain('marketData.warmupTimeout');
  });

  it('refuses two strategies with one id', () => {
    const d = dir();
    const file = join(d, 'q.json');
    const s = { id: 'dup', strategy: 'rsi', symbols: ['ETH/BTC'] };
    writeFileSync(file, JSON.stringify({ strategies: [s, s] }));
    expect((caught(() => loadConfig({ file, strategiesDir: join(d, 'none') })) as Error).message).toMatch(
      /duplicate id "dup"/,
    );
  });
});
