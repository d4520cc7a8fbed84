import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { QtsError } from '../../src/core/QtsError.js';
import type { Bar } from '../../src/model/Bar.js';
import { ERR_STRATEGY_FAILED, strategyFailed } from '../../src/node/strategyFailed.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import { minuteBar, simNode } from './support/simNode.js';

const MIN = 60_000;

type Hook = 'onStart' | 'onBar' | 'onFill' | 'onTimer' | 'onStop';

/** Throws `boom` from the hook the test names, on the third bar where a bar is involved. */
class Thrower extends Strategy<Record<string, never>> {
  static readonly id = 'thrower';
  static readonly description = 'test strategy that throws';
  static readonly paramsSchema = z.object({});
  static hook: Hook = 'onBar';
  override onStart(): void {
    if (Thrower.hook === 'onStart') throw new Error('boom');
    super.onStart();
    this.ctx.setTimer('tick', 2 * MIN);
  }
  override onBar(b: Bar): void {
    if (b.ts === 2 * MIN) {
      if (Thrower.hook === 'onBar') throw new Error('boom');
      if (Thrower.hook === 'onFill') this.ctx.buy('BTC/USDT');
    }
  }
  override onFill(): void {
    if (Thrower.hook === 'onFill') throw new Error('boom');
  }
  override onTimer(): void {
    if (Thrower.hook === 'onTimer') throw new Error('boom');
  }
  override onStop(): void {
    if (Thrower.hook === 'onStop') throw new Error('boom');
  }
}

/** What the node threw while running five bars with the strategy throwing from `hook`. */
function failureOf(hook: Hook): QtsError {
  Thrower.hook = hook;
  const { node, feed } = simNode();
  node.registerFeed('BTC/USDT', '1m');
  node.addStrategy({
    id: 'thrower-1',
    strategyClass: Thrower,
    params: {},
    symbols: ['BTC/USDT'],
    timeframe: '1m',
  });
  try {
    node.start();
    for (let i = 0; i < 5; i++) feed(minuteBar(i, 100, 101, 99, 100));
    node.stop();
  } catch (e) {
    if (e instanceof QtsError) return e;
    throw new Error(`not a coded error: ${String(e)}`);
  }
  throw new Error('nothing was thrown');
}

describe('an exception a strategy throws names the strategy, the hook, the symbol and the time', () => {
  it('onBar: strategy id, hook, symbol and the ISO time of the bar, with the original as cause', () => {
    const e = failureOf('onBar');
    expect(e.code).toBe(ERR_STRATEGY_FAILED);
    expect(e.message).toBe('strategy thrower-1 failed in onBar (BTC/USDT 1970-01-01T00:02:00.000Z): boom');
    expect(e.details).toMatchObject({ strategyId: 'thrower-1', hook: 'onBar', symbol: 'BTC/USDT' });
    expect((e.cause as Error).message).toBe('boom');
  });

  it('onFill (reached from inside onBar) is named as onFill, not re-wrapped as onBar', () => {
    const e = failureOf('onFill');
    expect(e.message).toMatch(
      /^strategy thrower-1 failed in onFill \(BTC\/USDT 1970-01-01T00:03:00\.000Z\): boom$/,
    );
    expect((e.cause as Error).message).toBe('boom');
  });

  it('onTimer, onStart and onStop carry the engine time', () => {
    expect(failureOf('onTimer').message).toBe(
      'strategy thrower-1 failed in onTimer (1970-01-01T00:02:00.000Z): boom',
    );
    expect(failureOf('onStart').message).toBe(
      'strategy thrower-1 failed in onStart (1970-01-01T00:00:00.000Z): boom',
    );
    expect(failureOf('onStop').message).toBe(
      'strategy thrower-1 failed in onStop (1970-01-01T00:05:00.000Z): boom',
    );
  });

  it('keeps the code of a coded error the strategy let through, and a non-Error as text', () => {
    const coded = strategyFailed(
      's',
      'onStart',
      undefined,
      0,
      new QtsError('ERR_INVALID_PARAMS', 'higherTimeframe must be above 5m', { param: 'higherTimeframe' }),
    );
    expect(coded.code).toBe('ERR_INVALID_PARAMS');
    expect(coded.message).toBe(
      'strategy s failed in onStart (1970-01-01T00:00:00.000Z): higherTimeframe must be above 5m',
    );
    expect(coded.details).toMatchObject({ param: 'higherTimeframe', strategyId: 's', hook: 'onStart' });
    expect(strategyFailed('s', 'onTimer', undefined, Number.NaN, 'oops').message).toBe(
      'strategy s failed in onTimer (NaN): oops',
    );
  });
});
