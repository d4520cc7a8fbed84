import { useEffect, useState } from 'preact/hooks';
import type { Status } from './api/types';
import type { ConnectionState } from './api/PushConnection';
import { time } from './format';
import { identity, logout, sessionChecked } from './state/session';
import { connection, liveLostAt, loadError, startLiveData, status, stopLiveData } from './state/store';
import { Backtests } from './views/Backtests';
import { Login } from './views/Login';
import { Market } from './views/Market';
import { Overview } from './views/Overview';
import { Strategies } from './views/Strategies';
import { System } from './views/System';
import { Trading } from './views/Trading';

const VIEWS = {
  overview: { label: 'Overview', view: Overview },
  market: { label: 'Market', view: Market },
  strategies: { label: 'Strategies', view: Strategies },
  trading: { label: 'Orders & positions', view: Trading },
  backtests: { label: 'Backtests', view: Backtests },
  system: { label: 'System', view: System },
} as const;
type ViewName = keyof typeof VIEWS;

const viewOf = (hash: string): ViewName => {
  const name = hash.replace(/^#\/?/, '');
  return name in VIEWS ? (name as ViewName) : 'overview';
};

/**
 * What mode and data the page is looking at, impossible to miss: LIVE (real orders) in red,
 * and any market data that is not the exchange's (replayed history, synthetic prices).
 */
export function modeBanner(s: Pick<Status, 'mode' | 'marketData'>): { text: string; tone: string }[] {
  const out: { text: string; tone: string }[] = [];
  if (s.mode === 'live') out.push({ text: 'LIVE — real orders on the exchange', tone: 'live' });
  else if (s.mode === 'shadow') out.push({ text: 'SHADOW — paper trading, no real orders', tone: 'shadow' });
  else out.push({ text: 'API MODE — history and backtests only, no trading', tone: 'shadow' });
  const src = s.marketData.source;
  if (src === 'replay')
    out.push({
      text: `REPLAY-DATA — replayed history, not the market (${s.marketData.detail})`,
      tone: 'fake',
    });
  else if (src === 'synthetic')
    out.push({
      text: `SYNTHETIC-DATA — generated prices, not the market (${s.marketData.detail})`,
      tone: 'fake',
    });
  else if (src !== 'exchange' && s.mode !== 'api')
    out.push({ text: `NO LIVE MARKET DATA (${src})`, tone: 'fake' });
  return out;
}

/**
 * Said over the views while the push is down: they keep the last figures they got, which
 * must not pass for live prices, orders and positions. Undefined while live, and while the
 * first connection is still being made (the views were just loaded from the API).
 */
export function staleBanner(conn: ConnectionState, lostAt: number | undefined): string | undefined {
  if (conn === 'live' || (lostAt === undefined && conn === 'connecting')) return undefined;
  const since = lostAt === undefined ? 'no live updates' : `live updates lost at ${time(lostAt)} UTC`;
  return `OFFLINE — ${since}, reconnecting: prices, orders and positions below may be stale`;
}

function Shell() {
  const [view, setView] = useState<ViewName>(viewOf(location.hash));
  useEffect(() => {
    const on = (): void => setView(viewOf(location.hash));
    window.addEventListener('hashchange', on);
    startLiveData();
    return () => {
      window.removeEventListener('hashchange', on);
      stopLiveData();
    };
  }, []);
  const s = status.value;
  const View = VIEWS[view].view;
  const who = identity.value;
  const stale = staleBanner(connection.value, liveLostAt.value);
  return (
    <div class="app">
      {s !== undefined &&
        modeBanner(s).map((b) => (
          <div class={`banner banner-${b.tone}`} key={b.text} data-testid="mode-banner" role="status">
            {b.text}
          </div>
        ))}
      {stale !== undefined && (
        <div class="banner banner-stale" data-testid="stale-banner" role="alert">
          {stale}
        </div>
      )}
      <header>
        <strong class="brand">QTS</strong>
        <nav>
          {(Object.keys(VIEWS) as ViewName[]).map((v) => (
            <a key={v} href={`#/${v}`} class={v === view ? 'active' : ''} data-testid={`nav-${v}`}>
              {VIEWS[v].label}
            </a>
          ))}
        </nav>
        <span class={`conn conn-${connection.value}`} data-testid="connection" title="WebSocket push">
          ● {connection.value}
        </span>
        <span class="who" data-testid="who">
          {who?.name} ({who?.role})
        </span>
        <button type="button" onClick={() => logout()}>
          Log out
        </button>
      </header>
      {loadError.value !== undefined && <p class="error load-error">{loadError.value}</p>}
      <main class={stale === undefined ? '' : 'stale'}>
        <View />
      </main>
    </div>
  );
}

/** The dashboard: the login form until a credential is accepted, then the views. */
export function App() {
  if (!sessionChecked.value) return <p class="muted">connecting…</p>;
  return identity.value === undefined ? <Login /> : <Shell />;
}
