import { describe, expect, it } from 'vitest';
import { PROMETHEUS_MISSING } from '../../support/prometheus.js';
import { type RuleCase, SERIES, runRuleCase } from './ruleCase.js';

/**
 * prom-client creates a labelled counter series at its first increment, so Prometheus first
 * scrapes it at the count of everything that happened since (1 or more): increase() cannot see
 * those events. These cases run the shipped rules in promtool on series born that way, and on a
 * restart (the counter starts again at 0), which must not page.
 */
const ERRORS = {
  alertname: 'QtsExchangeErrors',
  severity: 'warning',
  description: 'More than 10 failed requests or stream drops in 10 minutes.',
};
const errors = (exchange: string, reason: string): string =>
  `trading_exchange_request_errors_total{${SERIES},exchange="${exchange}",reason="${reason}"}`;
const ERRORS_BINANCE = {
  labels: { exchange: 'binance' },
  summary: 'Exchange binance requests failing on a:9091',
};

const FAILURES = {
  alertname: 'QtsOrderFailuresHigh',
  severity: 'warning',
  description:
    'More than 25 % of the orders of the last 15 minutes were denied by risk or rejected by the venue; see trading_orders_failed_total by reason.',
};
const orders = (side: string): string =>
  `trading_orders_total{${SERIES},strategy="grid-btc",symbol="BTC/USDT",side="${side}",type="LIMIT"}`;
const failed = (reason: string): string => `trading_orders_failed_total{${SERIES},reason="${reason}"}`;

const NO_FILLS = {
  alertname: 'QtsNoFillsWhileRunning',
  severity: 'warning',
  description:
    '2 strategies have run for 6 hours without a single fill in the last 12 hours: check market data, risk denials and the trading state.',
};
const RUNNING = { series: `trading_strategies_running{${SERIES}}`, values: '2x1200' };
const fills = `trading_fills_total{${SERIES},strategy="sma-btc",symbol="BTC/USDT",side="BUY",liquidity="TAKER"}`;

const ok = (r: { status: number | null; output: string }): void => {
  expect(r.output).toContain('SUCCESS');
  expect(r.status).toBe(0);
};

describe.skipIf(PROMETHEUS_MISSING !== '')(
  `alerts on counters born at their first event${PROMETHEUS_MISSING}`,
  () => {
    it('QtsExchangeErrors fires when a venue drop fails 12 streams at once and then 1 retry a minute (the network series is born at 12)', () => {
      // 12 symbols' streams drop between two scrapes (2m): 12 errors, then 1 per minute. Over 10
      // from 3m on: pending until the 5 minutes of `for` are up at 8m. increase() saw only the
      // retries after the first scrape (6.5 at 8m, 10 at 11m), never more than 10.
      const series = [{ series: errors('binance', 'network'), values: '_ _ 12+1x30' }];
      ok(runRuleCase({ ...ERRORS, series, evalTime: '7m', firing: [] }));
      ok(runRuleCase({ ...ERRORS, series, evalTime: '8m', firing: [ERRORS_BINANCE] }));
      ok(runRuleCase({ ...ERRORS, series, evalTime: '11m', firing: [ERRORS_BINANCE] }));
    });

    it('QtsExchangeErrors adds the reasons of one venue, each born at its first error, and not another venue', () => {
      // binance: 4 reasons born at 3 each (12 errors); kraken: 3 + 3 (6 errors, below 10).
      const series = [
        ...['network', 'timeout', 'unavailable', 'exchange'].map((r) => ({
          series: errors('binance', r),
          values: '_ _ 3x30',
        })),
        { series: errors('kraken', 'network'), values: '_ _ 3x30' },
        { series: errors('kraken', 'timeout'), values: '_ _ 3x30' },
      ];
      ok(runRuleCase({ ...ERRORS, series, evalTime: '8m', firing: [ERRORS_BINANCE] }));
      // 10 minutes after the burst it is out of the window: the alert resolves.
      ok(runRuleCase({ ...ERRORS, series, evalTime: '13m', firing: [] }));
    });

    it('QtsExchangeErrors counts the errors after an engine restart, and only those', () => {
      // The counter ran up to 40. The engine stops at 20m (Prometheus marks its series stale)
      // and restarts 3 minutes later, its counter from 0. At 31m the last run's 40 is out of
      // the 10-minute window, so increase() sees nothing of the new series: 12 errors since
      // the restart must still page, 9 must not, and the 40 must never count.
      const restart = (after: string): RuleCase['series'] => [
        { series: errors('binance', 'network'), values: `40x20 stale _x2 ${after}` },
      ];
      ok(runRuleCase({ ...ERRORS, series: restart('12x20'), evalTime: '31m', firing: [ERRORS_BINANCE] }));
      ok(runRuleCase({ ...ERRORS, series: restart('9x20'), evalTime: '31m', firing: [] }));
      // Down 15 minutes: the 9 errors since the restart, not the 40 before.
      ok(runRuleCase({ ...ERRORS, series: restart('_x12 9x20'), evalTime: '42m', firing: [] }));
    });

    it("QtsOrderFailuresHigh fires when a grid strategy's first 6 orders are all denied (both counters born at 6 or 3)", () => {
      // One bar after the start, the strategy places 3 buys and 3 sells; risk denies all 6.
      const series = [
        { series: orders('BUY'), values: '_ _ 3x30' },
        { series: orders('SELL'), values: '_ _ 3x30' },
        { series: failed('ERR_RISK_MAX_NOTIONAL'), values: '_ _ 6x30' },
      ];
      ok(
        runRuleCase({
          ...FAILURES,
          series,
          evalTime: '9m',
          firing: [{ labels: {}, summary: 'Many orders fail on a:9091' }],
        }),
      );
      ok(runRuleCase({ ...FAILURES, series, evalTime: '18m', firing: [] })); // out of the 15-minute window
    });

    it('QtsOrderFailuresHigh stays silent when 6 of 30 orders fail, the orders counted in series born at their first order', () => {
      // 30 orders over 5 label sets each born at 6: the ratio is 20 %, not 6 ÷ 0.
      const series = [
        ...['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT', 'ADA/USDT'].map((symbol) => ({
          series: `trading_orders_total{${SERIES},strategy="grid",symbol="${symbol}",side="BUY",type="LIMIT"}`,
          values: '_ _ 6x30',
        })),
        { series: failed('ERR_RISK_MAX_NOTIONAL'), values: '0 0 6x30' },
      ];
      ok(runRuleCase({ ...FAILURES, series, evalTime: '9m', firing: [] }));
    });

    it('QtsOrderFailuresHigh does not page after a restart on the orders and denials of the last run', () => {
      // Last run: 100 orders and 10 denials, long ago; after a restart 2 or 20 minutes later
      // (the series older or younger than 15 minutes) 8 orders, 1 denied.
      for (const down of ['_x2', '_x20']) {
        const series = [
          { series: orders('BUY'), values: `100x30 stale ${down} 8x30` },
          { series: failed('ERR_RISK_MAX_NOTIONAL'), values: `10x30 stale ${down} 1x30` },
        ];
        ok(runRuleCase({ ...FAILURES, series, evalTime: '60m', firing: [] }));
      }
    });

    it('QtsNoFillsWhileRunning stays silent after the first fill of a run (the fills series is born at 1)', () => {
      // Two strategies run from the start; their one fill comes after an hour. It used to page
      // at 7 h ("no fill in 12 h") though the fill was 6 hours old.
      const series = [RUNNING, { series: fills, values: '_x60 1x1140' }];
      ok(runRuleCase({ ...NO_FILLS, series, evalTime: '12h', firing: [] }));
      // 12 h after that fill, and 6 h more with none: it pages.
      ok(
        runRuleCase({
          ...NO_FILLS,
          series,
          evalTime: '19h5m',
          firing: [{ labels: {}, summary: 'No fills for hours on a:9091' }],
        }),
      );
    });

    it('QtsNoFillsWhileRunning pages when the strategies never fill, and a restart does not count as a fill', () => {
      // Fills of the last run (20) long ago; after a restart at 2 h no fill: still none in 12 h.
      const series = [
        { series: RUNNING.series, values: '2x120 stale 2x1004' },
        { series: fills, values: '20x120 stale _x1004' },
      ];
      ok(
        runRuleCase({
          ...NO_FILLS,
          series,
          evalTime: '14h',
          firing: [{ labels: {}, summary: 'No fills for hours on a:9091' }],
        }),
      );
    });
  },
);
