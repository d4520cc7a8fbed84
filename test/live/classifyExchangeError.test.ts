import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BAN_BACKOFF_MS,
  classifyExchangeError,
  retryAfterMs,
} from '../../src/exchanges/ccxt/classifyExchangeError.js';

const NOW = 1_700_000_000_000;

describe('classifyExchangeError', () => {
  it.each([
    [
      new ccxt.InsufficientFunds('binance {"code":-2010,"msg":"Account has insufficient balance"}'),
      'rejected',
    ],
    [new ccxt.InvalidOrder('binance {"code":-1013,"msg":"Filter failure: LOT_SIZE"}'), 'rejected'],
    [new ccxt.AuthenticationError('binance {"code":-2015}'), 'rejected'],
    [new ccxt.OrderNotFound('binance {"code":-2013,"msg":"Order does not exist."}'), 'not-found'],
    [new ccxt.InvalidOrder('binance {"code":-2010,"msg":"Duplicate order sent."}'), 'unknown'],
    [
      new ccxt.RequestTimeout(
        'binance POST https://api.binance.com/api/v3/order request timed out (10000 ms)',
      ),
      'unknown',
    ],
    [new ccxt.ExchangeNotAvailable('binance 503 Service Unavailable'), 'unknown'],
    [new ccxt.NetworkError('socket hang up'), 'unknown'],
    [new ccxt.ExchangeError('binance 500 Internal Server Error'), 'unknown'],
    [new Error('something nobody expected'), 'unknown'],
    [
      new ccxt.RateLimitExceeded('binance {"code":-1003,"msg":"Too much request weight used"}'),
      'rate-limited',
    ],
    [
      new ccxt.DDoSProtection(
        'binance 418 I\'m a teapot {"code":-1003,"msg":"IP banned until 1700000060000."}',
      ),
      'banned',
    ],
  ])('%s → %s', (err, kind) => {
    expect(classifyExchangeError(err, undefined, NOW).kind).toBe(kind);
  });

  it('a 418 waits until the time Binance names; a Retry-After header wins over it', () => {
    const err = new ccxt.DDoSProtection('binance 418 {"code":-1003,"msg":"IP banned until 1700000060000."}');
    expect(classifyExchangeError(err, undefined, NOW).retryAfterMs).toBe(60_000);
    expect(classifyExchangeError(err, { 'Retry-After': '7' }, NOW).retryAfterMs).toBe(7_000);
    expect(classifyExchangeError(new ccxt.DDoSProtection('binance 418'), undefined, NOW).retryAfterMs).toBe(
      DEFAULT_BAN_BACKOFF_MS,
    );
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs({ 'retry-after': '2.5' }, '', NOW)).toBe(2500);
    expect(retryAfterMs({ 'Retry-After': new Date(NOW + 30_000).toUTCString() }, '', NOW)).toBe(30_000);
    expect(retryAfterMs({}, 'no hint', NOW)).toBeUndefined();
  });
});
