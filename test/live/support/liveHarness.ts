/**
 * Shared setup of the live-trading tests: a FakeBinance replaying a synthetic ETH/USDT tape,
 * the private stub on it, and a keyed ccxt binance pointed at it.
 */
import type { Exchange } from 'ccxt';
import { createTradingExchange } from '../../../src/exchanges/ccxt/createTradingExchange.js';
import type { ExecutionCapabilities } from '../../../src/exchanges/ccxt/executionCapabilities.js';
import { FakeBinance } from '../../support/fakeBinance/FakeBinance.js';
import type { FakeTrade } from '../../support/fakeBinance/FakeBinance.js';
import { PrivateSpotStub } from './PrivateSpotStub.js';

export const SYMBOL = 'ETH/USDT';
export const KEYS = { apiKey: 'test-key-0001', secret: 'test-secret-0001' };

/** A gently oscillating tape so resting limit orders on both sides get filled. */
export function tape(n: number, start = 1_700_000_000_000, spacingMs = 1000, period = 7): FakeTrade[] {
  return Array.from({ length: n }, (_, i) => ({
    id: 1 + i,
    ts: start + i * spacingMs,
    price: Math.round((2000 + 20 * Math.sin(i / period)) * 100) / 100,
    amount: 1,
    side: i % 2 === 0 ? 'buy' : 'sell',
  }));
}

export interface Harness {
  readonly fake: FakeBinance;
  readonly stub: PrivateSpotStub;
  readonly exchange: Exchange;
  readonly capabilities: ExecutionCapabilities;
  close(): Promise<void>;
}

/** Starts the fake with `history` trades already published and a keyed ccxt instance on it. */
export async function startHarness(
  opts: { trades?: number; history?: number; balances?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Harness> {
  const trades = tape(opts.trades ?? 400);
  const fake = await FakeBinance.start({
    markets: [{ symbol: SYMBOL, trades, tickSize: '0.01', lotSize: '0.0001' }],
  });
  fake.step(opts.history ?? 5);
  const stub = new PrivateSpotStub(fake, [SYMBOL], opts.balances ?? { USDT: '100000', ETH: '0' });
  const { exchange, capabilities } = createTradingExchange({
    id: 'binance',
    keys: KEYS,
    sandbox: false,
    clientIdPrefix: 'qts',
    timeoutMs: opts.timeoutMs ?? 3000,
  });
  await fake.configure(exchange);
  await exchange.loadMarkets();
  return {
    fake,
    stub,
    exchange,
    capabilities,
    close: async () => {
      await exchange.close();
      await fake.close();
    },
  };
}

/** Polls `cond` until it holds, failing after `ms` (never a fixed sleep). */
export async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
