import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../../../src/app/bootstrap.js';
import { loadDotEnv } from '../../../src/config/loadDotEnv.js';
import { verifyAuditLog } from '../../../src/monitor/audit/verifyAuditLog.js';
import { EMPTY_CONFIG } from '../../support/emptyConfig.js';

const root = mkdtempSync(join(tmpdir(), 'qts-bootstrap-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

describe('loadDotEnv', () => {
  it('fills only what the real environment does not set, and tolerates a missing file', () => {
    const file = join(root, 'test.env');
    writeFileSync(file, '# comment\nLOG_LEVEL=debug\nLOG_FORMAT=json\nQUOTED="a b"\n');
    // An exported empty variable counts as unset (as for every setting): the file fills it.
    const env: NodeJS.ProcessEnv = { LOG_LEVEL: 'warn', LOG_FORMAT: '' };
    expect(loadDotEnv(file, env).sort()).toEqual(['LOG_FORMAT', 'QUOTED']);
    expect(env).toEqual({ LOG_LEVEL: 'warn', LOG_FORMAT: 'json', QUOTED: 'a b' });
    expect(loadDotEnv(join(root, 'absent.env'), env)).toEqual([]);
  });
});

/** A run folder whose `strategies/` holds one fast SMA cross on BTC/USDT; returns the folder. */
function withSmaStrategy(dir: string): string {
  mkdirSync(join(dir, 'strategies'), { recursive: true });
  writeFileSync(
    join(dir, 'strategies', 'sma.json'),
    JSON.stringify({ id: 'sma', strategy: 'sma-cross', symbols: ['BTC/USDT'], params: { fast: 2, slow: 3 } }),
  );
  return dir;
}

describe('bootstrap (the one start sequence of npm start and qts shadow|live|api)', () => {
  it('reads .env, writes the daily log files and a continuing audit chain, and stops cleanly', async () => {
    const dir = withSmaStrategy(join(root, 'run'));
    const dotEnv = join(dir, '.env');
    writeFileSync(dotEnv, `LOG_FORMAT=json\nLOG_LEVEL=debug\nLOG_DIR=${join(dir, 'logs')}\n`);
    const env: NodeJS.ProcessEnv = {
      QTS_CONFIG: EMPTY_CONFIG,
      QTS_STRATEGIES_DIR: join(dir, 'strategies'),
      MARKET_DATA_SOURCE: 'synthetic',
      DB_PATH: join(dir, 'trading.db'),
      AUDIT_DIR: join(dir, 'audit'),
      METRICS_ENABLED: 'false',
      PUSH_ENABLED: 'false',
      API_PORT: '0',
    };
    const start = async (): Promise<{ out: Capture; stop: () => Promise<void> }> => {
      const out = new Capture();
      const b = await bootstrap({ env, dotEnvPath: dotEnv, stdout: out, deps: { noHttp: true } });
      expect(b.config.log).toMatchObject({ format: 'json', level: 'debug', dir: join(dir, 'logs') });
      return { out, stop: () => b.stop() };
    };

    const first = await start();
    await first.stop();
    expect(first.out.text.split('\n')[0]).toMatch(/^\{.*"\.env: 3 settings loaded"/);
    const second = await start();
    await second.stop();

    const logs = readdirSync(join(dir, 'logs'));
    expect(logs.some((n) => /^trading-\d{4}-\d{2}-\d{2}\.log$/.test(n))).toBe(true);
    const trading = logs
      .filter((n) => n.startsWith('trading-'))
      .map((n) => readFileSync(join(dir, 'logs', n), 'utf8'))
      .join('');
    expect(trading).toContain('market data: SYNTHETIC');

    const v = verifyAuditLog(join(dir, 'audit'));
    expect(v.ok).toBe(true);
    const kinds = readdirSync(join(dir, 'audit'))
      .filter((n) => n.endsWith('.jsonl'))
      .flatMap((n) =>
        readFileSync(join(dir, 'audit', n), 'utf8')
          .trim()
          .split('\n'),
      )
      .map((l) => (JSON.parse(l) as { kind: string }).kind);
    // Two runs, one chain: each run's start, configuration, state and stop, in order.
    expect(kinds.filter((k) => k === 'app.started')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'config.loaded')).toHaveLength(2);
    expect(kinds.filter((k) => k === 'app.stopped')).toHaveLength(2);
    expect(kinds[0]).toBe('app.started');
    expect(kinds.at(-1)).toBe('app.stopped');
    expect(v.records).toBe(kinds.length);
  });

  it('records a refused start in the audit trail and releases it', async () => {
    const dir = join(root, 'refused');
    const env: NodeJS.ProcessEnv = {
      QTS_CONFIG: EMPTY_CONFIG,
      QTS_STRATEGIES_DIR: join(dir, 'none'),
      TRADING_MODE: 'shadow',
      LOG_DIR: join(dir, 'logs'),
      AUDIT_DIR: join(dir, 'audit'),
      DB_PATH: join(dir, 'trading.db'),
    };
    const out = new Capture();
    await expect(bootstrap({ env, dotEnvPath: join(dir, 'none.env'), stdout: out })).rejects.toThrow(
      /at least one enabled strategy/,
    );
    expect(readdirSync(join(dir, 'audit'))).not.toContain('audit.lock');
    const text = readdirSync(join(dir, 'audit'))
      .filter((n) => n.endsWith('.jsonl'))
      .map((n) => readFileSync(join(dir, 'audit', n), 'utf8'))
      .join('');
    expect(text).toContain('"app.start_failed"');
    expect(text).toContain('ERR_CONFIG');
    expect(out.text).toContain('ERR_CONFIG');
  });

  it('names a log, audit or database folder that cannot be used as the setting, with its own code', async () => {
    const dir = withSmaStrategy(join(root, 'blocked'));
    // A file where a folder should be: no permission trick needed, and root cannot bypass it.
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const refusal = (extra: NodeJS.ProcessEnv): Promise<unknown> =>
      bootstrap({
        env: {
          QTS_CONFIG: EMPTY_CONFIG,
          QTS_STRATEGIES_DIR: join(dir, 'strategies'),
          MARKET_DATA_SOURCE: 'synthetic',
          LOG_DIR: join(dir, 'logs'),
          AUDIT_DIR: join(dir, 'audit'),
          DB_PATH: join(dir, 'trading.db'),
          METRICS_ENABLED: 'false',
          PUSH_ENABLED: 'false',
          API_PORT: '0',
          ...extra,
        },
        dotEnvPath: join(dir, 'none.env'),
        stdout: new Capture(),
        deps: { noHttp: true },
      }).then(
        async (b) => {
          await b.stop();
          return new Error('started');
        },
        (e: unknown) => e,
      );
    const log = await refusal({ LOG_DIR: join(file, 'logs') });
    expect(log).toMatchObject({ code: 'ERR_LOG_DIR' });
    expect((log as Error).message).toMatch(/^log\.dir \(LOG_DIR\) .*a-file\/logs cannot be used: ENOTDIR/);
    const audit = await refusal({ AUDIT_DIR: join(file, 'audit') });
    expect(audit).toMatchObject({ code: 'ERR_AUDIT_DIR' });
    expect((audit as Error).message).toMatch(
      /^audit\.dir \(AUDIT_DIR\) .*a-file\/audit cannot be used: ENOTDIR/,
    );
    const db = await refusal({ DB_PATH: join(file, 'trading.db') });
    expect(db).toMatchObject({ code: 'ERR_DB_OPEN' });
    expect((db as Error).message).toContain(join(file, 'trading.db'));
  });
});
