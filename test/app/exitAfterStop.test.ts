/**
 * `npm start` then Ctrl+C: once the engine logs "stopped cleanly" the process ends by itself.
 * A market-data probe given up on `exchange.connectTimeoutMs` (the exchange accepted the
 * connection and never answered) used to keep its socket and ccxt's request timer alive after
 * the stop — for the rest of ccxt's own request timeout, ~2 s with the defaults.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { until } from './support/http.js';

const CHILD = fileURLToPath(new URL('./support/unansweredExchangeChild.ts', import.meta.url));
/** tsx by path: the child runs in a folder of its own, outside the project. */
const TSX = pathToFileURL(
  fileURLToPath(new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url)),
).href;

describe('the engine process after a SIGINT', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qts-exit-after-stop-'));
  const held: Socket[] = [];
  // The exchange: takes every connection and never says a word (the TLS handshake hangs).
  const exchange = createServer((socket) => void held.push(socket.on('error', () => undefined)));
  afterAll(async () => {
    for (const s of held) s.destroy();
    await new Promise((r) => exchange.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits on its own after "stopped cleanly", though a market-data request was still unanswered', async () => {
    await new Promise<void>((r) => exchange.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(exchange.address() as AddressInfo).port}`;
    const strategies = join(dir, 'strategies');
    mkdirSync(strategies);
    writeFileSync(
      join(strategies, 'sma.json'),
      JSON.stringify({
        id: 'sma',
        strategy: 'sma-cross',
        symbols: ['BTC/USDT'],
        timeframe: '1m',
        params: {},
      }),
    );
    const config = join(dir, 'qts.json');
    writeFileSync(config, JSON.stringify({ exchange: { id: 'binance', connectTimeoutMs: 300 } }));
    const child = spawn(process.execPath, ['--import', TSX, CHILD], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        UNANSWERED_URL: url,
        QTS_CONFIG: config,
        QTS_STRATEGIES_DIR: strategies,
        MARKET_DATA_SOURCE: 'auto',
        API_PORT: '0',
        METRICS_PORT: '0',
        PUSH_ENABLED: 'false',
        LOG_FORMAT: 'json',
        DB_PATH: join(dir, 'trading.db'),
        LOG_DIR: join(dir, 'logs'),
        AUDIT_DIR: join(dir, 'audit'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      // The last line of the start (push is off): from here on SIGINT is a clean stop.
      await until(() => out.includes('metrics: ') || child.exitCode !== null, 'the engine to start', 60_000);
      // The fallback really left the exchange's connection unanswered, in flight.
      expect(out, out).toContain('did not answer within 300 ms');
      expect(held.length, out).toBeGreaterThan(0);

      child.kill('SIGINT');
      await until(() => out.includes('stopped cleanly'), '"stopped cleanly"', 30_000);
      // Nothing is left to wait for: no socket, no timer. (It used to live on until undici's
      // connect timeout, or ccxt's request timeout once connected: 10 s each by default,
      // 10 minutes here.)
      await until(() => child.exitCode !== null, 'the process to exit by itself', 15_000);
      expect(await exited, out).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
