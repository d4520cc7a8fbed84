import { useState } from 'preact/hooks';
import { ConfirmButton } from '../components/ConfirmButton';
import { LineChart } from '../components/LineChart';
import { dec, num, pct, signOf } from '../format';
import { api, canTrade, isAdmin } from '../state/session';
import { equity, pnl, positions, refreshRisk, refreshStatus, risk, status } from '../state/store';

/** Peak-to-now drawdown of the equity curve, as a fraction of the peak. */
export function currentDrawdown(points: readonly { equity: number }[]): number {
  let peak = -Infinity;
  for (const p of points) peak = Math.max(peak, p.equity);
  const last = points[points.length - 1];
  if (last === undefined || !(peak > 0)) return 0;
  return (peak - last.equity) / peak;
}

function dayPnl(): { day: string; net: number } | undefined {
  const p = pnl.value;
  if (p === undefined || p.byDay.length === 0) return undefined;
  const today = new Date(status.value?.now ?? 0).toISOString().slice(0, 10);
  // Replayed history has old days: show the latest day with fills, named.
  const days = [...new Set(p.byDay.map((d) => d.day))].sort();
  const day = days.includes(today) ? today : (days[days.length - 1] ?? today);
  return { day, net: p.byDay.filter((d) => d.day === day).reduce((s, d) => s + d.netValue, 0) };
}

function RiskCard() {
  const r = risk.value;
  const [flatten, setFlatten] = useState(false);
  const [reason, setReason] = useState('');
  const halted = r?.state === 'HALTED';
  const after = async (): Promise<void> => {
    await Promise.all([refreshRisk(), refreshStatus()]);
  };
  return (
    <section class="card" data-testid="risk-card">
      <h3>Risk</h3>
      <p>
        Trading state:{' '}
        <strong class={`state state-${r?.state ?? 'unknown'}`} data-testid="trading-state">
          {r?.state ?? '…'}
        </strong>
      </p>
      {r !== undefined && r.reason !== '' && <p class="muted">{r.reason}</p>}
      {canTrade.value && !halted && (
        <ConfirmButton
          label="Kill switch"
          question="Cancel every open order and halt trading?"
          confirmLabel="Halt trading"
          danger
          testId="kill"
          onConfirm={async () => {
            await api.post('/risk/kill', {
              flatten,
              ...(reason.trim() === '' ? {} : { reason: reason.trim() }),
            });
            await after();
          }}
        >
          <label>
            <input type="checkbox" checked={flatten} onChange={(e) => setFlatten(e.currentTarget.checked)} />{' '}
            also flatten positions
          </label>
          <input
            placeholder="reason (optional)"
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </ConfirmButton>
      )}
      {isAdmin.value && halted && (
        <ConfirmButton
          label="Resume trading"
          question="Lift the halt and let strategies trade again?"
          confirmLabel="Resume"
          testId="resume"
          onConfirm={async () => {
            await api.post('/risk/resume', {});
            await after();
          }}
        />
      )}
      {canTrade.value && !isAdmin.value && halted && <p class="muted">Only an admin may resume trading.</p>}
    </section>
  );
}

/** Equity, the day's PnL, drawdown, exposure and the risk state with the kill switch. */
export function Overview() {
  const s = status.value;
  const p = pnl.value;
  const d = dayPnl();
  const eq = s?.equity;
  const exposure = positions.value.reduce((sum, x) => sum + Math.abs(Number(x.qty) * (x.lastPrice ?? 0)), 0);
  return (
    <div class="view" data-testid="view-overview">
      <div class="cards">
        <section class="card">
          <h3>Equity</h3>
          <p class="big" data-testid="equity">
            {num(eq, 6)} {s?.currency}
          </p>
          <p class="muted">cash {dec(s?.cash)}</p>
        </section>
        <section class="card">
          <h3>{d === undefined ? 'Day PnL' : `PnL ${d.day}`}</h3>
          <p class={`big ${d === undefined ? '' : d.net < 0 ? 'neg' : 'pos'}`}>{num(d?.net ?? 0, 6)}</p>
          <p class="muted">
            realized <span class={signOf(p?.realized)}>{dec(p?.realized)}</span> · unrealized{' '}
            <span class={signOf(p?.unrealized)}>{dec(p?.unrealized)}</span> · fees {dec(p?.fees)}
          </p>
        </section>
        <section class="card">
          <h3>Drawdown</h3>
          <p class="big">{pct(currentDrawdown(equity.value))}</p>
          <p class="muted">from the peak of the equity curve</p>
        </section>
        <section class="card">
          <h3>Exposure</h3>
          <p class="big">{eq !== undefined && eq > 0 ? pct(exposure / eq) : '—'}</p>
          <p class="muted">
            {num(exposure, 6)} {s?.currency} in{' '}
            {positions.value.filter((x) => !/^-?0(\.0*)?$/.test(x.qty)).length} positions ·{' '}
            {s?.openOrders ?? 0} open orders
          </p>
        </section>
        <RiskCard />
      </div>
      <section class="card wide">
        <h3>Equity curve</h3>
        <LineChart label="equity curve" points={equity.value.map((x) => ({ ts: x.ts, value: x.equity }))} />
      </section>
    </div>
  );
}
