import { computed, signal } from '@preact/signals';
import { ApiClient, ApiError } from '../api/client';
import type { Identity, Session } from '../api/types';

const STORAGE_KEY = 'qts.session';

/** Who is logged in, with which bearer token (a session JWT, or the API token itself). */
export const identity = signal<Identity | undefined>(undefined);
export const token = signal<string | undefined>(undefined);
/** True once the first check (stored session, or an open loopback engine) is done. */
export const sessionChecked = signal(false);

/** Viewers see no action buttons: every command needs at least a trader. */
export const canTrade = computed(() => identity.value !== undefined && identity.value.role !== 'viewer');
export const isAdmin = computed(() => identity.value?.role === 'admin');

export function logout(): void {
  identity.value = undefined;
  token.value = undefined;
  sessionStorage.removeItem(STORAGE_KEY);
}

export const api = new ApiClient(
  () => token.value,
  () => logout(),
);

function remember(t: string | undefined, who: Identity): void {
  token.value = t;
  identity.value = who;
  if (t !== undefined) sessionStorage.setItem(STORAGE_KEY, t);
}

/**
 * Logs in: with a name, the API token is exchanged for a short session (POST /auth/login)
 * so the browser never keeps the long-lived token; without JWT_SECRET on the engine (or
 * without a name) the token itself is the bearer, checked by GET /auth/me.
 */
export async function login(name: string, apiToken: string): Promise<void> {
  if (name.trim() !== '') {
    try {
      const s = await api.post<Session>('/auth/login', { name: name.trim(), token: apiToken });
      remember(s.token, { name: s.name, role: s.role });
      return;
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== 'ERR_LOGIN_DISABLED') throw e;
    }
  }
  token.value = apiToken;
  try {
    remember(apiToken, await api.get<Identity>('/auth/me'));
  } catch (e) {
    token.value = undefined;
    throw e;
  }
}

/** At start: a session kept in this tab, or an engine open on loopback (no token configured). */
export async function restoreSession(): Promise<void> {
  const stored = sessionStorage.getItem(STORAGE_KEY) ?? undefined;
  token.value = stored;
  try {
    remember(stored, await api.get<Identity>('/auth/me'));
  } catch {
    logout();
  } finally {
    sessionChecked.value = true;
  }
}
