import { describe, expect, it } from 'vitest';
import type { Bar, Trade } from '../../src/model/Bar.js';
import { feedToNode } from '../../src/marketdata/feedToNode.js';

const bar = (tf: string, closed: boolean, ts = 0): Bar => ({
  symbol: 'A/B',
  timeframe: tf,
  ts,
  open: 1,
  high: 1,
  low: 1,
  close: 1,
  volume: 1,
  closed,
});

describe('feedToNode', () => {
  it('forwards closed base bars and trades to the node, forming bars elsewhere, and tracks health', () => {
    const bars: Bar[] = [];
    const trades: Trade[] = [];
    const forming: Bar[] = [];
    const { listener, health } = feedToNode(
      { onBar: (b) => bars.push(b), onTrade: (t) => trades.push(t) },
      { baseTimeframe: '1m', onFormingBar: (b) => forming.push(b) },
    );
    listener.onBar(bar('1m', false));
    listener.onBar(bar('1m', true));
    listener.onBar(bar('5m', true)); // the node builds its own higher timeframes
    listener.onTrade({ symbol: 'A/B', ts: 1, id: '1', price: 1, amount: 1, side: 'BUY' });
    expect(bars).toEqual([bar('1m', true)]);
    expect(forming).toEqual([bar('1m', false)]);
    expect(trades).toHaveLength(1);

    listener.onStale('A/B', 123);
    expect(health()).toEqual([
      {
        symbol: 'A/B',
        stale: true,
        staleSince: 123,
        lastBarTs: 0,
        gapsOpen: 0,
        gapsUnfillable: 0,
        warnings: 0,
      },
    ]);
    const gap = {
      symbol: 'A/B',
      stream: 'trades',
      reason: 'trade-id-jump',
      fromId: '5',
      toId: '9',
      missing: 5,
      recovered: 0,
    } as const;
    listener.onGap({ ...gap, phase: 'open' });
    expect(health()[0]?.gapsOpen).toBe(1);
    listener.onGap({ ...gap, phase: 'unfillable' });
    listener.onFresh('A/B');
    expect(health()[0]).toMatchObject({
      stale: false,
      staleSince: undefined,
      gapsOpen: 0,
      gapsUnfillable: 1,
    });
  });
});
