/**
 * The report counts refused orders by reason code, and the summary says them: a newcomer's
 * first run (default fill at the next open, all-in sizing) had a third of its buys canceled for
 * cash at a higher open, and "45 rejected, canceled or expired" alone did not say why.
 */
import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/runBacktest.js';
import { renderHtmlReport } from '../../src/backtest/htmlReport.js';
import { summary } from '../../src/cli/backtestAction.js';
import { toFixed } from '../../src/core/Fixed.js';
import { loadBarSeries } from '../../src/data/loadBarSeries.js';
import { parseSizing } from '../../src/portfolio/Sizer.js';
import { HAS_SHARED_DATA, sharedFile } from '../support/sharedData.js';
import { smaCrossConfig } from './support/smaCrossConfig.js';

describe.skipIf(!HAS_SHARED_DATA)('refused orders by reason code (ORCL daily: opens gap from closes)', () => {
  const WALK = loadBarSeries(sharedFile('stocks-daily/orcl-1995-2014.txt')).series;

  it('next-open all-in: buys canceled for cash are counted under ERR_INSUFFICIENT_FUNDS and explained', () => {
    const r = runBacktest(smaCrossConfig([WALK], { fill: { fillAt: 'next-open' } }));
    const notFilled = r.report.ordersTotal - r.report.orders - r.report.ordersDenied - r.report.ordersOpen;
    const funds = r.report.ordersRefused.ERR_INSUFFICIENT_FUNDS ?? 0;
    // Some buys meet a higher open, and each of those is an order that did not fill.
    expect(funds).toBeGreaterThan(0);
    expect(funds).toBeLessThanOrEqual(notFilled);
    const text = summary(r);
    expect(text).toContain(`refused: ERR_INSUFFICIENT_FUNDS ×${funds}`);
    expect(text).toMatch(/^note {14}buys refused for cash were sized on the signal bar's close/m);
    expect(renderHtmlReport(r.report)).toContain(`ERR_INSUFFICIENT_FUNDS ×${funds}`);
  });

  it('fill at the close: nothing refused, no note', () => {
    const r = runBacktest(smaCrossConfig([WALK]));
    expect(r.report.orders).toBeGreaterThan(0);
    expect(r.report.ordersRefused).toEqual({});
    expect(summary(r)).not.toMatch(/refused|^note/m);
  });

  it('risk denials are counted under their codes too', () => {
    const r = runBacktest(
      smaCrossConfig([WALK], { initialCash: 0.05, sizing: parseSizing('all-in', toFixed(1)) }),
    );
    expect(r.report.ordersDenied).toBeGreaterThan(0);
    expect(r.report.ordersRefused).toEqual({ ERR_RISK_QUANTITY: r.report.ordersDenied });
  });
});
