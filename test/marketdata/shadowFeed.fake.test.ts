import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toFixed } from '../../src/core/Fixed.js';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import { resample } from '../../src/data/resample.js';
import { LiveClock } from '../../src/kernel/LiveClock.js';
import { feedToNode } from '../../src/marketdata/feedToNode.js';
import type { Bar } from '../../src/model/Bar.js';
import { barAt } from '../../src/model/BarSeries.js';
import { makeInstrument } from '../../src/model/Instrument.js';
import { TradingNode } from '../../src/node/TradingNode.js';
import { parseSizing } from '../../src/portfolio/Sizer.js';
import { Strategy } from '../../src/strategy/Strategy.js';
import type { FakeSession } from '../exchanges/fakeSession.js';
import { fakeSession, waitFor } from '../exchanges/fakeSession.js';
import { loadTradesCsv } from '../support/fakeBinance/loadTradesCsv.js';
import { HAS_SHARED_DATA } from '../support/sharedData.js';
import { loadBars, XRP_ETH_1M, XRP_ETH_TRADES } from './fixtures.js';

/** Records every bar it is given. */
class Recording extends Strategy<Record<string, never>> {
  static readonly id = 'recording';
  static readonly description = 'records bars';
  static readonly paramsSchema = z.object({});
  static bars: Bar[] = [];
  override onStart(): void {
    super.onStart();
    this.ctx.subscribeBars('XRP/ETH', '5m');
  }
  override onBar(b: Bar): void {
    Recording.bars.push(b);
  }
}

let session: FakeSession | undefined;
afterEach(async () => {
  await session?.close();
  session = undefined;
});

describe.skipIf(!HAS_SHARED_DATA)('exchange feed → TradingNode (shadow mode wiring)', () => {
  it('a strategy sees exactly the exchange candles, closed, and the 5m bars the node builds from them', async () => {
    Recording.bars = [];
    const clock = new LiveClock();
    const node = new TradingNode({
      clock,
      instruments: [makeInstrument({ symbol: 'XRP/ETH' })],
      currency: 'ETH',
      initialCash: { ETH: 10 },
      sizing: parseSizing('all-in', toFixed('1')),
    });
    node.registerFeed('XRP/ETH', '1m');
    node.addStrategy({
      id: 'rec',
      strategyClass: Recording,
      params: {},
      symbols: ['XRP/ETH'],
      timeframe: '1m',
    });
    node.start();
    const wiring = feedToNode(node, { baseTimeframe: '1m' });
    const trades = loadTradesCsv(XRP_ETH_TRADES);
    let lastId = -1;
    session = await fakeSession([{ symbol: 'XRP/ETH', trades }], {
      listener: {
        ...wiring.listener,
        onTrade: (t) => {
          lastId = Number(t.id);
          wiring.listener.onTrade(t);
        },
      },
      streams: { ohlcv: false, book: false, ticker: false },
    });
    await session.feed.start();
    await session.fake.waitForSubscription('xrpeth@trade');
    const s = session;
    while (s.fake.step(1000) > 0) {
      await waitFor(() => lastId === s.publishedId('XRP/ETH'), 'the node to get every published trade');
    }
    expect(node.lastPrice('XRP/ETH')).toBe(trades.at(-1)?.price);
    await waitFor(
      () =>
        Recording.bars.filter((b) => b.timeframe === '1m').length ===
        loadBars(XRP_ETH_1M, 'XRP/ETH').length - 1,
      'every closed 1m bar',
    );
    const one = Recording.bars.filter((b) => b.timeframe === '1m');
    expect(one).toEqual(loadBars(XRP_ETH_1M, 'XRP/ETH').slice(0, -1));
    expect(Recording.bars.every((b) => b.closed)).toBe(true);
    const five = resample(loadBarSeries(XRP_ETH_1M, { symbol: 'XRP/ETH' }).series, '5m');
    const want5 = Array.from({ length: five.length - 1 }, (_, i) => barAt(five, i));
    expect(Recording.bars.filter((b) => b.timeframe === '5m')).toEqual(want5);
    expect(wiring.health()).toMatchObject([{ symbol: 'XRP/ETH', stale: false, gapsOpen: 0 }]);
    node.stop();
    clock.dispose();
  });
});
