import { useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { AuditEntry } from '../api/types';
import { time } from '../format';
import { api, isAdmin } from '../state/session';
import { components, logs, status } from '../state/store';

function AuditSearch() {
  const [q, setQ] = useState<Record<string, string>>({});
  const [items, setItems] = useState<AuditEntry[] | undefined>(undefined);
  const [error, setError] = useState<{ field?: string; message: string } | undefined>(undefined);
  const search = async (e: Event): Promise<void> => {
    e.preventDefault();
    setError(undefined);
    try {
      const r = await api.get<{ items: AuditEntry[] }>('/audit', { ...q, limit: 200 });
      setItems(r.items);
    } catch (err) {
      setError({
        field: err instanceof ApiError ? err.fieldAmong(['text', 'kind', 'actor']) : undefined,
        message: (err as Error).message,
      });
    }
  };
  const field = (f: string, placeholder: string) => (
    <div class="field">
      <label for={`audit-${f}`}>{f}</label>
      <input
        id={`audit-${f}`}
        placeholder={placeholder}
        value={q[f] ?? ''}
        onInput={(e) => setQ({ ...q, [f]: e.currentTarget.value })}
      />
      {error?.field === f && <span class="field-error">{error.message}</span>}
    </div>
  );
  return (
    <section class="card wide" data-testid="audit">
      <h3>Audit log</h3>
      <form class="params" onSubmit={(e) => void search(e)}>
        {field('text', 'any text')}
        {field('kind', 'api.cancel, risk.kill, …')}
        {field('actor', 'api:name')}
        <div class="field">
          <button type="submit" class="primary">
            Search
          </button>
        </div>
      </form>
      {error !== undefined && error.field === undefined && <p class="field-error">{error.message}</p>}
      {items !== undefined && (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>#</th>
                <th>time</th>
                <th>kind</th>
                <th>actor</th>
                <th>data</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.seq}>
                  <td>{a.seq}</td>
                  <td>{time(a.time)}</td>
                  <td>{a.kind}</td>
                  <td>{a.actor}</td>
                  <td class="mono">{JSON.stringify(a.data)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {items.length === 0 && <p class="muted">nothing found</p>}
        </div>
      )}
    </section>
  );
}

/** Health of every component, market data source and lag, the live log tail, audit search (admin). */
export function System() {
  const s = status.value;
  return (
    <div class="view" data-testid="view-system">
      <section class="card wide">
        <h3>Health</h3>
        <p>
          Market data: <strong>{s?.marketData.source ?? '…'}</strong> — {s?.marketData.detail}
        </p>
        <div class="scroll">
          <table data-testid="health">
            <tbody>
              {components.value.map((c) => (
                <tr key={c.name}>
                  <th>{c.name}</th>
                  <td class={c.ready ? 'pos' : 'neg'}>{c.ready ? 'ready' : 'NOT READY'}</td>
                  <td>{c.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section class="card wide">
        <h3>Log tail</h3>
        <pre class="logs" data-testid="logs">
          {logs.value
            .slice(-100)
            .map((l) => `${time(l.time)} ${String(l.level).padEnd(5)} ${l.msg}`)
            .join('\n')}
        </pre>
      </section>
      {isAdmin.value && <AuditSearch />}
    </div>
  );
}
