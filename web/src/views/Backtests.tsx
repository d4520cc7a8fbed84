import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { BacktestJob, CatalogEntry } from '../api/types';
import { parseParam } from '../components/ParamsForm';
import { asText, time } from '../format';
import { api, canTrade } from '../state/session';
import { BacktestReportView, STAT_ROWS } from './BacktestReportView';

const POLL_MS = 500;
const DATA_FIELDS = ['strategy', 'file', 'symbol', 'timeframe', 'from', 'to', 'cash'] as const;

/** A date field as epoch ms (UTC midnight); anything unparsable goes to the API as typed, for it to name. */
function dateMs(text: string): unknown {
  if (text.trim() === '') return undefined;
  const ms = Date.parse(`${text.trim()}T00:00:00Z`);
  return Number.isFinite(ms) ? ms : text;
}

function RunForm(props: { catalog: readonly CatalogEntry[]; onStarted: (job: BacktestJob) => void }) {
  const [strategy, setStrategy] = useState('');
  const entry = props.catalog.find((c) => c.id === strategy) ?? props.catalog[0];
  const paramNames = Object.keys(entry?.paramsSchema.properties ?? {});
  const [data, setData] = useState<Record<string, string>>({ cash: '10000' });
  const [params, setParams] = useState<Record<string, string>>({});
  const [error, setError] = useState<{ field?: string; message: string } | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (entry === undefined) return;
    setBusy(true);
    setError(undefined);
    const body: Record<string, unknown> = { strategy: entry.id };
    for (const f of ['file', 'symbol', 'timeframe'] as const)
      if ((data[f] ?? '').trim() !== '') body[f] = data[f]?.trim();
    const from = dateMs(data.from ?? '');
    const to = dateMs(data.to ?? '');
    if (from !== undefined) body.from = from;
    if (to !== undefined) body.to = to;
    if ((data.cash ?? '').trim() !== '') body.cash = parseParam(data.cash ?? '', { type: 'number' });
    body.params = Object.fromEntries(
      paramNames
        .filter((p) => (params[p] ?? '').trim() !== '')
        .map((p) => [p, parseParam(params[p] ?? '', entry.paramsSchema.properties?.[p])]),
    );
    try {
      props.onStarted(await api.post<BacktestJob>('/backtests', body));
    } catch (err) {
      const field = err instanceof ApiError ? err.fieldAmong([...paramNames, ...DATA_FIELDS]) : undefined;
      setError({ field, message: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (f: string) =>
    error?.field === f && (
      <span class="field-error" role="alert" data-testid={`error-${f}`}>
        {error.message}
      </span>
    );
  const input = (
    f: string,
    label: string,
    placeholder: string,
    values: Record<string, string>,
    set: (v: Record<string, string>) => void,
  ) => (
    <div class="field" key={f}>
      <label for={`bt-${f}`}>{label}</label>
      <input
        id={`bt-${f}`}
        name={f}
        placeholder={placeholder}
        value={values[f] ?? ''}
        onInput={(e) => set({ ...values, [f]: e.currentTarget.value })}
        aria-invalid={error?.field === f}
      />
      {fieldError(f)}
    </div>
  );

  return (
    <form class="params" onSubmit={(e) => void submit(e)} data-testid="backtest-form" noValidate>
      <div class="field">
        <label for="bt-strategy">strategy</label>
        <select id="bt-strategy" value={entry?.id} onChange={(e) => setStrategy(e.currentTarget.value)}>
          {props.catalog.map((c) => (
            <option key={c.id} value={c.id} title={c.description}>
              {c.id}
            </option>
          ))}
        </select>
        {fieldError('strategy')}
      </div>
      {input('file', 'data file', 'crypto/spot-1m/XRP_ETH-1m.csv (in api.backtestDataDir)', data, setData)}
      {input('symbol', 'or symbol', 'BTC/USDT (stored candles)', data, setData)}
      {input('timeframe', 'timeframe', '1h', data, setData)}
      {input('from', 'from', 'YYYY-MM-DD', data, setData)}
      {input('to', 'to', 'YYYY-MM-DD', data, setData)}
      {input('cash', 'cash', '10000', data, setData)}
      {paramNames.map((p) =>
        input(p, p, asText(entry?.paramsSchema.properties?.[p]?.default), params, setParams),
      )}
      <div class="field">
        <button type="submit" class="primary" disabled={busy} data-testid="run-backtest">
          Run backtest
        </button>
      </div>
      {error !== undefined && error.field === undefined && (
        <span class="field-error" role="alert" data-testid="error-form">
          {error.message}
        </span>
      )}
    </form>
  );
}

function Compare(props: { jobs: readonly BacktestJob[] }) {
  const done = props.jobs.filter((j) => j.status === 'done');
  const [a, setA] = useState('');
  const [b, setB] = useState('');
  const [reports, setReports] = useState<BacktestJob[]>([]);
  useEffect(() => {
    const ids = [a, b].filter((x) => x !== '');
    Promise.all(ids.map((id) => api.get<BacktestJob>(`/backtests/${encodeURIComponent(id)}`)))
      .then(setReports)
      .catch(() => setReports([]));
  }, [a, b]);
  if (done.length < 2) return <p class="muted">Run two backtests to compare them.</p>;
  const pick = (v: string, set: (s: string) => void, label: string) => (
    <select value={v} onChange={(e) => set(e.currentTarget.value)} aria-label={label}>
      <option value="">—</option>
      {done.map((j) => (
        <option key={j.id} value={j.id}>
          {j.id} {j.strategy}
        </option>
      ))}
    </select>
  );
  return (
    <div data-testid="compare">
      <div class="toolbar">
        Compare {pick(a, setA, 'first run')} with {pick(b, setB, 'second run')}
      </div>
      {reports.length === 2 && (
        <table class="stats">
          <thead>
            <tr>
              <th />
              {reports.map((j) => (
                <th key={j.id}>
                  {j.id} {j.strategy} {JSON.stringify(j.report?.params ?? {})}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {STAT_ROWS.map(([label, f]) => (
              <tr key={label}>
                <th>{label}</th>
                {reports.map((j) => (
                  <td key={j.id}>{j.report === null ? '—' : f(j.report)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** Run a backtest from the browser, watch its progress, read the report, compare two runs. */
export function Backtests() {
  const [catalog, setCatalog] = useState<CatalogEntry[]>([]);
  const [jobs, setJobs] = useState<BacktestJob[]>([]);
  const [open, setOpen] = useState<BacktestJob | undefined>(undefined);
  const [loadErr, setLoadErr] = useState<string | undefined>(undefined);

  const reload = (): Promise<void> =>
    api.get<{ items: BacktestJob[] }>('/backtests').then(
      (r) => setJobs(r.items),
      (e: unknown) => setLoadErr((e as Error).message),
    );
  useEffect(() => {
    api.get<{ items: CatalogEntry[] }>('/strategies/catalog').then(
      (r) => setCatalog(r.items),
      (e: unknown) => setLoadErr((e as Error).message),
    );
    void reload();
  }, []);
  const running = jobs.some((j) => j.status === 'queued' || j.status === 'running');
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => void reload(), POLL_MS);
    return () => clearInterval(t);
  }, [running]);

  const show = (id: string): void => {
    api
      .get<BacktestJob>(`/backtests/${encodeURIComponent(id)}`)
      .then(setOpen, (e: unknown) => setLoadErr((e as Error).message));
  };

  return (
    <div class="view" data-testid="view-backtests">
      {loadErr !== undefined && <p class="error">{loadErr}</p>}
      {canTrade.value && (
        <section class="card wide">
          <h3>Run a backtest</h3>
          <RunForm catalog={catalog} onStarted={(j) => setJobs([j, ...jobs])} />
        </section>
      )}
      <section class="card wide">
        <h3>Runs</h3>
        <div class="scroll">
          <table data-testid="backtest-jobs">
            <thead>
              <tr>
                <th>id</th>
                <th>created</th>
                <th>strategy</th>
                <th>data</th>
                <th>status</th>
                <th>progress</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {jobs.map((j) => (
                <tr key={j.id} data-testid={`job-${j.id}`} data-status={j.status}>
                  <td>{j.id}</td>
                  <td>{time(j.createdAt)}</td>
                  <td>{j.strategy}</td>
                  <td>{j.data}</td>
                  <td title={j.error?.message}>{j.status}</td>
                  <td>
                    <progress max={Math.max(1, j.progress.total)} value={j.progress.done} />
                    {j.error !== null && <span class="field-error">{j.error.message}</span>}
                  </td>
                  <td>
                    {j.status === 'done' && (
                      <button type="button" onClick={() => show(j.id)} data-testid={`open-${j.id}`}>
                        Report
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <Compare jobs={jobs} />
      </section>
      {open?.report != null && (
        <section class="card wide">
          <BacktestReportView id={open.id} report={open.report} />
        </section>
      )}
    </div>
  );
}
