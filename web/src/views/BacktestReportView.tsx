import type { BacktestReport } from '../api/types';
import { LineChart } from '../components/LineChart';
import { num, pct, time } from '../format';

/** The statistics the report and the comparison show, in this order. */
export const STAT_ROWS: readonly [string, (r: BacktestReport) => string][] = [
  ['Final equity', (r) => `${num(r.finalEquity)} ${r.currency}`],
  ['Total return', (r) => pct(r.totalReturn)],
  ['CAGR', (r) => pct(r.cagr)],
  ['Sharpe', (r) => num(r.sharpe)],
  ['Sortino', (r) => num(r.sortino)],
  ['Max drawdown', (r) => pct(r.maxDrawdown)],
  ['Win rate', (r) => pct(r.winRate)],
  ['Profit factor', (r) => num(r.profitFactor)],
  ['Trades', (r) => String(r.trades)],
  ['Fees', (r) => num(r.feesPaid)],
  ['Exposure', (r) => pct(r.exposure)],
];

/** Drawdown (≤ 0, fraction of the running peak) along an equity curve. */
export function drawdownSeries(
  curve: readonly { ts: number; equity: number }[],
): { ts: number; value: number }[] {
  let peak = -Infinity;
  return curve.map((p) => {
    peak = Math.max(peak, p.equity);
    return { ts: p.ts, value: peak > 0 ? p.equity / peak - 1 : 0 };
  });
}

/** A finished backtest: statistics, equity and drawdown charts, and its trade list. */
export function BacktestReportView(props: { report: BacktestReport; id: string }) {
  const r = props.report;
  return (
    <div class="report" data-testid="backtest-report">
      <h3>
        Report {props.id}: {r.strategy} on {r.symbols.join(', ')} {r.timeframe}
      </h3>
      <p class="muted">params {JSON.stringify(r.params)}</p>
      <table class="stats">
        <tbody>
          {STAT_ROWS.map(([label, f]) => (
            <tr key={label}>
              <th>{label}</th>
              <td data-testid={`stat-${label}`}>{f(r)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h4>Equity</h4>
      <LineChart label="backtest equity" points={r.equityCurve.map((p) => ({ ts: p.ts, value: p.equity }))} />
      <h4>Drawdown</h4>
      <LineChart label="backtest drawdown" color="#f85149" points={drawdownSeries(r.equityCurve)} />
      <h4>Trades ({r.tradeList.length})</h4>
      <div class="scroll">
        <table data-testid="trade-list">
          <thead>
            <tr>
              <th>entry</th>
              <th>exit</th>
              <th>side</th>
              <th>qty</th>
              <th>entry px</th>
              <th>exit px</th>
              <th>PnL</th>
              <th>return</th>
            </tr>
          </thead>
          <tbody>
            {r.tradeList.slice(0, 500).map((t, i) => (
              <tr key={i}>
                <td>{time(t.entryTs)}</td>
                <td>{t.closed ? time(t.exitTs) : 'open'}</td>
                <td>{t.side}</td>
                <td>{num(t.quantity, 8)}</td>
                <td>{num(t.entryPrice, 8)}</td>
                <td>{num(t.exitPrice, 8)}</td>
                <td class={t.pnl < 0 ? 'neg' : 'pos'}>{num(t.pnl, 6)}</td>
                <td>{pct(t.returnPct)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
