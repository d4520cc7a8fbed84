import { signal } from '@preact/signals';
import type { ConnectionState } from '../api/PushConnection';
import { PushConnection, pushUrl } from '../api/PushConnection';
import type {
  Component,
  EquityPoint,
  Fill,
  LogLine,
  Order,
  Pnl,
  Position,
  Risk,
  Status,
  StrategyInstance,
} from '../api/types';
import { ApiError } from '../api/client';
import type { RefreshOutcome } from './pacedRefresh';
import { pacedRefresh } from './pacedRefresh';
import { SESSION_ENDED, api, logout, token } from './session';

/** What every view reads; filled from the REST API and kept current by the push channels. */
export const status = signal<Status | undefined>(undefined);
export const risk = signal<Risk | undefined>(undefined);
export const pnl = signal<Pnl | undefined>(undefined);
export const equity = signal<readonly EquityPoint[]>([]);
export const orders = signal<readonly Order[]>([]);
export const fills = signal<readonly Fill[]>([]);
export const positions = signal<readonly Position[]>([]);
export const strategies = signal<readonly StrategyInstance[]>([]);
export const components = signal<readonly Component[]>([]);
export const logs = signal<readonly LogLine[]>([]);
export const connection = signal<ConnectionState>('offline');
/**
 * When the push connection was lost (epoch ms), until it is live again: candles, orders,
 * fills, positions and strategies only move with push events, so from then on what the views
 * show may be stale and the page says so.
 */
export const liveLostAt = signal<number | undefined>(undefined);
/** The last error of a background refresh (shown in the header, not as a crash). */
export const loadError = signal<string | undefined>(undefined);

/** Filters of the orders table; the API does the filtering. */
export const orderFilter = signal<{ symbol: string; strategyId: string; open: boolean }>({
  symbol: '',
  strategyId: '',
  open: false,
});

const POLL_MS = 5_000;
const MAX_LOG_LINES = 300;

let push: PushConnection | undefined;

/** The push connection of this page (views follow their own channels, e.g. candles). */
export function pushConnection(): PushConnection | undefined {
  return push;
}

/**
 * Applies a loaded resource; a failure is shown in the header, except the rate limit's refusal,
 * which the paced refreshes try again (see pacedRefresh).
 */
function guard<T>(p: Promise<T>, apply: (v: T) => void): Promise<RefreshOutcome> {
  return p.then(
    (v) => {
      apply(v);
      return 'done';
    },
    (e: unknown) => {
      if (e instanceof ApiError && e.status === 429) return 'rate-limited';
      loadError.value = (e as Error).message;
      return 'done';
    },
  );
}

/** Both refreshes, one after the other; rate-limited if either was. */
async function both(
  a: () => Promise<RefreshOutcome>,
  b: () => Promise<RefreshOutcome>,
): Promise<RefreshOutcome> {
  const first = await a();
  const second = await b();
  return first === 'rate-limited' || second === 'rate-limited' ? 'rate-limited' : 'done';
}

export function refreshStatus(): Promise<RefreshOutcome> {
  return guard(api.get<Status>('/status'), (s) => {
    status.value = s;
    loadError.value = undefined;
  });
}
export const refreshRisk = (): Promise<RefreshOutcome> =>
  guard(api.get<Risk>('/risk'), (r) => (risk.value = r));
export const refreshPnl = (): Promise<RefreshOutcome> => guard(api.get<Pnl>('/pnl'), (p) => (pnl.value = p));
export const refreshEquity = (): Promise<RefreshOutcome> =>
  guard(
    api.get<{ points: EquityPoint[] }>('/pnl/equity', { points: 2000 }),
    (e) => (equity.value = e.points),
  );
export const refreshPositions = (): Promise<RefreshOutcome> =>
  guard(api.get<{ items: Position[] }>('/positions'), (p) => (positions.value = p.items));
export const refreshFills = (): Promise<RefreshOutcome> =>
  guard(api.get<{ items: Fill[] }>('/fills', { limit: 500 }), (f) => (fills.value = f.items));
export const refreshStrategies = (): Promise<RefreshOutcome> =>
  guard(api.get<{ items: StrategyInstance[] }>('/strategies'), (s) => (strategies.value = s.items));
export const refreshHealth = (): Promise<RefreshOutcome> =>
  guard(api.get<{ components: Component[] }>('/health/ready'), (h) => (components.value = h.components));
export function refreshOrders(): Promise<RefreshOutcome> {
  const f = orderFilter.value;
  return guard(
    api.get<{ items: Order[] }>('/orders', {
      symbol: f.symbol,
      strategyId: f.strategyId,
      open: f.open ? true : undefined,
      limit: 200,
    }),
    (o) => (orders.value = o.items),
  );
}

let pollTimer: ReturnType<typeof setInterval> | undefined;

/**
 * Loads every resource, follows the push channels (orders, fills, positions, equity, risk,
 * strategies, logs) and polls what has no channel (status, PnL, health). A push event
 * triggers a refresh of its REST resource, so tables always show the API's own shapes.
 */
export function startLiveData(): void {
  stopLiveData();
  const all = (): Promise<unknown> =>
    Promise.all([
      refreshStatus(),
      refreshRisk(),
      refreshPnl(),
      refreshEquity(),
      refreshOrders(),
      refreshFills(),
      refreshPositions(),
      refreshStrategies(),
      refreshHealth(),
    ]);
  void all();
  pollTimer = setInterval(() => {
    void refreshStatus();
    void refreshPnl();
    void refreshHealth();
    void refreshRisk();
    void refreshEquity();
  }, POLL_MS);
  push = new PushConnection(
    pushUrl(location),
    token.value,
    (s) => {
      if (s === 'live') liveLostAt.value = undefined;
      // The browser's wall clock: when the figures on screen stopped moving.
      else if (connection.value === 'live') liveLostAt.value = new Date().getTime();
      connection.value = s;
      // After a reconnect everything may have moved: reload once.
      if (s === 'live') void all();
    },
    // 4401: the session expired while connected (the push closes it then) or was refused.
    () => logout(SESSION_ENDED),
  );
  push.subscribe(
    'orders',
    pacedRefresh(() => both(refreshOrders, refreshStatus)),
  );
  push.subscribe(
    'fills',
    pacedRefresh(() => both(refreshFills, refreshPnl)),
  );
  push.subscribe('positions', pacedRefresh(refreshPositions));
  push.subscribe(
    'risk',
    pacedRefresh(() => both(refreshRisk, refreshStatus)),
  );
  push.subscribe('strategies', pacedRefresh(refreshStrategies));
  push.subscribe('equity', (data) => {
    const e = data as { ts?: number; equity?: number } | null;
    if (e?.ts === undefined || e.equity === undefined) return;
    const last = equity.value[equity.value.length - 1];
    if (last !== undefined && e.ts <= last.ts) return;
    equity.value = [...equity.value, { ts: e.ts, equity: e.equity }].slice(-5000);
  });
  push.subscribe('logs', (data, kind) => {
    const lines = kind === 'snapshot' ? ((data as { lines?: LogLine[] }).lines ?? []) : [data as LogLine];
    logs.value = (kind === 'snapshot' ? lines : [...logs.value, ...lines]).slice(-MAX_LOG_LINES);
  });
}

export function stopLiveData(): void {
  if (pollTimer !== undefined) clearInterval(pollTimer);
  pollTimer = undefined;
  push?.close();
  push = undefined;
  connection.value = 'offline';
  liveLostAt.value = undefined;
}
