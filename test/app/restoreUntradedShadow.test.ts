/**
 * Shadow: a restart whose configuration no longer trades a symbol on which an order of the last
 * run still rests is refused ERR_RESTORE_SYMBOL_NOT_TRADED, naming the order and the way out,
 * before anything is written; trading the symbol again restores the order untouched.
 * (test/live/restartUntradedSymbol.test.ts covers live.)
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { TradingRuntime } from '../../src/app/TradingRuntime.js';
import type { AppConfig } from '../../src/config/configSchema.js';
import { toFixed } from '../../src/core/Fixed.js';
import { until } from './support/http.js';
import { loggedShadowConfig, startLoggedShadow } from './support/startLoggedShadow.js';

const start = (config: AppConfig): Promise<TradingRuntime> =>
  TradingRuntime.startShadow(config, { log: pino({ level: 'silent' }), noServices: true, noHttp: true });

describe('shadow restart with an open order on a symbol no longer traded', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('is refused ERR_RESTORE_SYMBOL_NOT_TRADED naming the order; trading the symbol again restores it', async () => {
    const { rt, dir } = await startLoggedShadow('sma-cross');
    dirs.push(dir);
    const path = join(dir, 'trading.db');
    let id = '';
    try {
      await until(() => rt.node.portfolio.lastPrice('BTC/USDT') !== undefined, 'a BTC/USDT price');
      const half = Math.round((rt.node.portfolio.lastPrice('BTC/USDT') ?? 0) / 2);
      id = rt.node.submit('manual', {
        symbol: 'BTC/USDT',
        side: 'BUY',
        type: 'LIMIT',
        quantity: toFixed('0.001'),
        price: toFixed(half),
        timeInForce: 'GTC',
        postOnly: false,
        reduceOnly: false,
      }).id;
      expect(rt.node.oms.order(id)?.isOpen).toBe(true);
    } finally {
      await rt.stop();
    }

    await expect(start(loggedShadowConfig(path, 'sma-cross', 'ETH/USDT'))).rejects.toMatchObject({
      code: 'ERR_RESTORE_SYMBOL_NOT_TRADED',
      details: { symbols: ['BTC/USDT'], orderIds: [id] },
    });

    const again = await start(loggedShadowConfig(path, 'sma-cross'));
    try {
      const restored = again.node.oms.order(id);
      expect([restored?.status, restored?.isOpen]).toEqual(['ACCEPTED', true]);
    } finally {
      await again.stop();
    }
  });
});
