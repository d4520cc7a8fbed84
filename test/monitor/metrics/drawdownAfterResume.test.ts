import { describe, expect, it } from 'vitest';
import { toFixed } from '../../../src/core/Fixed.js';
import { EngineSnapshotter } from '../../../src/monitor/metrics/EngineSnapshotter.js';
import { TradingMetrics } from '../../../src/monitor/metrics/TradingMetrics.js';
import { parseSizing } from '../../../src/portfolio/Sizer.js';
import { simNode } from '../../node/support/simNode.js';
import type { Bar } from '../../../src/model/Bar.js';
import { MIN, flatBar } from './flatBar.js';

async function drawdownGauge(m: TradingMetrics): Promise<number> {
  await m.exposition();
  const g = m.registry.getSingleMetric('trading_drawdown_ratio');
  return (await g!.get()).values[0]?.value ?? Number.NaN;
}

/**
 * trading_drawdown_ratio is documented to agree with the drawdown the circuit breaker acts on
 * (QtsDrawdownHigh/Critical page on it). An operator's resume rebases the breaker's peak to the
 * equity of that moment, so trading can go on; the gauge must follow, or the critical alert
 * keeps paging until the engine is restarted (when only the breaker's peak is left).
 */
describe('trading_drawdown_ratio and the circuit breaker', () => {
  it("follows the breaker's peak down after an operator's resume, and still tracks new highs", async () => {
    const sim = simNode({
      sizing: parseSizing('percent:90', toFixed('0.0001')),
    });
    const { clock, node } = sim;
    node.risk.configureBreakers({ maxDrawdownPct: 0.1 });
    // The runtime feeds equity to the breaker on every bar and fill (BreakerAnchorStore.check).
    const feed = (b: Bar): void => {
      sim.feed(b);
      node.risk.onEquity(node.portfolio.equity(), clock.now());
    };
    node.registerFeed('BTC/USDT', '1m');
    node.start();
    const metrics = new TradingMetrics({ processMetrics: false });
    const snap = new EngineSnapshotter(
      { node, lastData: new Map() },
      { symbols: ['BTC/USDT'], staleAfterMs: 10 * MIN, strategiesRunning: () => 1, now: () => clock.now() },
    );
    metrics.attachEngine(() => snap.snapshot());

    feed(flatBar(0, 100));
    node.submit('s1', {
      symbol: 'BTC/USDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: toFixed('80'),
      timeInForce: 'GTC',
      postOnly: false,
      reduceOnly: false,
    });
    feed(flatBar(1, 100));
    expect(await drawdownGauge(metrics)).toBeCloseTo(0, 2);
    // 80 BTC lose 25 each: about 20 % below the peak; the breaker halts trading.
    feed(flatBar(2, 75));
    const peak = node.risk.circuitBreaker.anchors()!.peakEquity;
    const equity = node.portfolio.equity();
    expect(node.risk.state).toBe('HALTED');
    expect(await drawdownGauge(metrics)).toBeCloseTo(1 - equity / peak, 9);
    expect(await drawdownGauge(metrics)).toBeGreaterThan(0.15);

    // The operator resumes: the breaker counts the drawdown from the equity now.
    expect(node.risk.circuitBreaker.rebase(equity)).toBe(true);
    expect(node.risk.circuitBreaker.anchors()!.peakEquity).toBe(equity);
    expect(await drawdownGauge(metrics)).toBe(0);

    // A new high after the resume is a new peak for both; a fall from it is a drawdown again.
    feed(flatBar(3, 80));
    const high = node.portfolio.equity();
    expect(high).toBeGreaterThan(equity);
    expect(await drawdownGauge(metrics)).toBe(0);
    feed(flatBar(4, 78));
    expect(await drawdownGauge(metrics)).toBeCloseTo(1 - node.portfolio.equity() / high, 9);
  });
});
