import { ConfirmButton } from '../components/ConfirmButton';
import { ParamsForm } from '../components/ParamsForm';
import { dec, signOf } from '../format';
import { api, canTrade } from '../state/session';
import { pnl, refreshStatus, refreshStrategies, status, strategies } from '../state/store';
import type { Status } from '../api/types';

/**
 * How a strategy was warmed up at start (GET /status), so a user sees why it trades or not
 * yet: how many bars of its timeframe it saw and from where, or that it started cold.
 */
function warmUpText(st: Status | undefined, id: string, timeframe: string): string | undefined {
  const overall = st?.warmUp;
  if (overall === undefined) return undefined;
  if (overall.state === 'running') return 'warming up: fetching history…';
  const w = st?.strategies.find((s) => s.id === id)?.warmUp;
  if (w === undefined || w === null)
    return overall.state === 'off'
      ? 'no warm-up: indicators fill from live bars'
      : 'started after the warm-up: indicators fill from live bars';
  const from = [...new Set(w.symbols.map((s) => s.source))]
    .map((src) => (src === 'exchange' ? 'the exchange' : src === 'stored' ? 'stored candles' : 'no history'))
    .join(' + ');
  const late = overall.timedOut ? ' (fetch timed out)' : '';
  return w.bars === 0
    ? `no warm-up history: started cold${late}`
    : `warmed up on ${w.bars} ${timeframe} bars from ${from}${late}`;
}

const enc = encodeURIComponent;

/** Strategy instances: state, per-strategy PnL, parameters (edited through the API's validation), start and stop. */
export function Strategies() {
  const byStrategy = new Map((pnl.value?.byStrategy ?? []).map((s) => [s.strategyId, s]));
  const after = async (): Promise<void> => {
    await Promise.all([refreshStrategies(), refreshStatus()]);
  };
  return (
    <div class="view" data-testid="view-strategies">
      {strategies.value.length === 0 && <p class="muted">No strategy instances on this engine.</p>}
      <div class="cards">
        {strategies.value.map((s) => {
          const p = byStrategy.get(s.id);
          const warm = warmUpText(status.value, s.id, s.timeframe);
          return (
            <section class="card strategy" key={s.id} data-testid={`strategy-${s.id}`}>
              <h3>
                {s.id} <span class="muted">{s.strategy}</span>
              </h3>
              <p>
                <span
                  class={`state ${s.running ? 'state-ACTIVE' : 'state-HALTED'}`}
                  data-testid={`strategy-state-${s.id}`}
                >
                  {s.running ? 'running' : s.failure ? 'failed' : 'stopped'}
                </span>{' '}
                {s.symbols.join(', ')} · {s.timeframe}
              </p>
              {s.failure && (
                <p class="neg" data-testid={`strategy-failure-${s.id}`}>
                  {s.failure.code}: {s.failure.message}
                </p>
              )}
              <p class="muted">{s.description}</p>
              {warm !== undefined && (
                <p class="muted" data-testid={`strategy-warmup-${s.id}`}>
                  {warm}
                </p>
              )}
              <p>
                PnL <span class={signOf(p?.net)}>{dec(p?.net ?? '0')}</span> · fills {p?.fills ?? 0}
              </p>
              {canTrade.value && (
                <p>
                  {s.running ? (
                    <ConfirmButton
                      label="Stop"
                      question={`Stop ${s.id}? Its orders and positions stay.`}
                      confirmLabel="Stop strategy"
                      testId={`stop-${s.id}`}
                      onConfirm={async () => {
                        await api.post(`/strategies/${enc(s.id)}/stop`, {});
                        await after();
                      }}
                    />
                  ) : (
                    <ConfirmButton
                      label="Start"
                      question={`Start ${s.id} again (indicators warm up anew)?`}
                      confirmLabel="Start strategy"
                      testId={`start-${s.id}`}
                      onConfirm={async () => {
                        await api.post(`/strategies/${enc(s.id)}/start`, {});
                        await after();
                      }}
                    />
                  )}
                </p>
              )}
              <ParamsForm
                key={JSON.stringify(s.params)}
                schema={s.paramsSchema}
                values={s.params}
                readOnly={!canTrade.value}
                submitLabel="Save parameters"
                testId={`params-${s.id}`}
                onSubmit={async (params) => {
                  await api.put(`/strategies/${enc(s.id)}/params`, { params });
                  await after();
                }}
              />
            </section>
          );
        })}
      </div>
    </div>
  );
}
