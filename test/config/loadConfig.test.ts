import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isQtsError } from '../../src/core/QtsError.js';
import { loadConfig } from '../../src/config/loadConfig.js';

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
      env: { QTS_CONFIG: join(d, 'absent.json') },
    });
    expect(cfg.mode).toBe('shadow');
    expect(cfg.api.port).toBe(3000);
    expect(cfg.marketData.source).toBe('auto');
    expect(cfg.storage.dbPath).toBe('data/trading.db');
    expect(
      loadConfig({ strategiesDir: join(d, 'none'), env: { TRADING_MODE: 'api', QTS_CONFIG: join(d, 'x') } })
        .api.port,
    ).toBe(3002);
    expect(
      loadConfig({ strategiesDir: join(d, 'none'), env: { TRADING_MODE: 'live', QTS_CONFIG: join(d, 'x') } })
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
    const e1 = caught(() =>
      loadConfig({ strategiesDir: join(d, 's'), env: { QTS_CONFIG: join(d, 'none') } }),
    );
    expect(isQtsError(e1, 'ERR_CONFIG')).toBe(true);
    expect((e1 as Error).message).toMatch(/bad\.json: symbols\.0: symbols look like BTC\/USDT/);
    const e2 = caught(() =>
      loadConfig({
        strategiesDir: join(d, 'none'),
        env: { TRADING_MODE: 'paper', QTS_CONFIG: join(d, 'none') },
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
