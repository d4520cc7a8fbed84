import ccxt, {
  DDoSProtection,
  ExchangeError,
  ExchangeNotAvailable,
  NetworkError,
  RateLimitExceeded,
  RequestTimeout,
} from 'ccxt';
import { describe, expect, it } from 'vitest';
import { marketDataListener } from '../../../src/data/MarketDataFeed.js';
import type { Ticker } from '../../../src/data/MarketDataFeed.js';
import { CcxtMarketDataFeed } from '../../../src/exchanges/ccxt/CcxtMarketDataFeed.js';
import type { ExchangeRequestProblem } from '../../../src/exchanges/ccxt/requestProblem.js';
import { requestProblem, requestProblemReason } from '../../../src/exchanges/ccxt/requestProblem.js';
import { TradingMetrics } from '../../../src/monitor/metrics/TradingMetrics.js';
import { FakeBinance } from '../../support/fakeBinance/FakeBinance.js';
import type { FakeTrade } from '../../support/fakeBinance/FakeBinance.js';

async function until(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function counter(m: TradingMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const metric = m.registry.getSingleMetric(name);
  const values = (await metric?.get())?.values ?? [];
  return values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value ?? 0;
}

describe('exchange request problems', () => {
  it('classifies ccxt errors, subclasses before the classes they extend', () => {
    expect(requestProblemReason(new RateLimitExceeded('429'))).toBe('rate_limit');
    expect(requestProblemReason(new DDoSProtection('418'))).toBe('ddos_protection');
    expect(requestProblemReason(new RequestTimeout('slow'))).toBe('timeout');
    expect(requestProblemReason(new ExchangeNotAvailable('503'))).toBe('unavailable');
    expect(requestProblemReason(new NetworkError('reset'))).toBe('network');
    expect(requestProblemReason(new ExchangeError('bad'))).toBe('exchange');
    expect(requestProblemReason(new Error('other'))).toBe('other');
    expect(requestProblem('binance', new DDoSProtection('418'), 250)).toEqual({
      exchange: 'binance',
      reason: 'ddos_protection',
      rateLimited: true,
      retryInMs: 250,
    });
    expect(requestProblem('binance', new RequestTimeout('slow'), 10).rateLimited).toBe(false);
  });

  it('a feed polling a fake Binance that answers 429, 429, 503 reports each to the hook, then recovers', async () => {
    const t0 = 1_700_000_000_000;
    const trades: FakeTrade[] = Array.from({ length: 20 }, (_, i) => ({
      id: i + 1,
      ts: t0 + i * 1_000,
      price: 30_000 + i,
      amount: 0.01,
      side: 'buy' as const,
    }));
    const fake = await FakeBinance.start({ markets: [{ symbol: 'BTC/USDT', trades }] });
    const exchange = new ccxt.binance();
    await fake.configure(exchange);
    const metrics = new TradingMetrics({ processMetrics: false });
    const problems: ExchangeRequestProblem[] = [];
    const tickers: Ticker[] = [];
    fake.faults.failRest('/api/v3/ticker', 429, 2);
    fake.faults.failRest('/api/v3/ticker', 503, 1);
    const feed = new CcxtMarketDataFeed({
      exchange,
      symbols: ['BTC/USDT'],
      streams: { trades: false, ohlcv: false, ticker: true, book: false },
      pollIntervalMs: 20,
      backoff: { initialMs: 10, maxMs: 40 },
      listener: marketDataListener({ onTicker: (t) => tickers.push(t) }),
      onRequestProblem: (p) => {
        problems.push(p);
        metrics.recordExchangeProblem(p.exchange, p.reason, p.rateLimited, p.retryInMs);
      },
    });
    try {
      await feed.start();
      await until(() => tickers.length > 0, 'a ticker after the failures');
      // ccxt reports Binance's 429 (code -1003, "Too many requests") as DDoSProtection.
      expect(problems.map((p) => [p.exchange, p.reason, p.rateLimited])).toEqual([
        ['binance', 'ddos_protection', true],
        ['binance', 'ddos_protection', true],
        ['binance', 'unavailable', false],
      ]);
      expect(problems.every((p) => p.retryInMs > 0 && p.retryInMs <= 40)).toBe(true);
      expect(
        await counter(metrics, 'trading_exchange_request_errors_total', {
          exchange: 'binance',
          reason: 'ddos_protection',
        }),
      ).toBe(2);
      expect(
        await counter(metrics, 'trading_exchange_request_errors_total', {
          exchange: 'binance',
          reason: 'unavailable',
        }),
      ).toBe(1);
      expect(
        await counter(metrics, 'trading_exchange_rate_limit_waits_total', {
          exchange: 'binance',
          reason: 'ddos_protection',
        }),
      ).toBe(2);
      expect(
        await counter(metrics, 'trading_exchange_rate_limit_waits_total', {
          exchange: 'binance',
          reason: 'unavailable',
        }),
      ).toBe(0);
      expect(
        await counter(metrics, 'trading_exchange_rate_limit_wait_seconds_total', {
          exchange: 'binance',
          reason: 'ddos_protection',
        }),
      ).toBeCloseTo((problems[0]!.retryInMs + problems[1]!.retryInMs) / 1000, 9);
    } finally {
      await feed.stop();
      await fake.close();
    }
  });

  it('a hook that throws does not stop the feed', async () => {
    const fake = await FakeBinance.start({
      markets: [
        {
          symbol: 'BTC/USDT',
          trades: [{ id: 1, ts: 1_700_000_000_000, price: 30_000, amount: 0.01, side: 'buy' }],
        },
      ],
    });
    const exchange = new ccxt.binance();
    await fake.configure(exchange);
    const tickers: Ticker[] = [];
    let calls = 0;
    fake.faults.failRest('/api/v3/ticker', 500, 2);
    const feed = new CcxtMarketDataFeed({
      exchange,
      symbols: ['BTC/USDT'],
      streams: { trades: false, ohlcv: false, ticker: true, book: false },
      pollIntervalMs: 20,
      backoff: { initialMs: 10, maxMs: 40 },
      listener: marketDataListener({ onTicker: (t) => tickers.push(t) }),
      onRequestProblem: () => {
        calls++;
        throw new Error('broken metrics');
      },
    });
    try {
      await feed.start();
      await until(() => tickers.length > 0, 'a ticker after the failures');
      expect(calls).toBe(2);
    } finally {
      await feed.stop();
      await fake.close();
    }
  });
});
