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

/**
 * Why the login form is back when the user did not log out: said on the form, so an expired
 * session does not look like the dashboard losing its mind (or like a logout by someone else).
 */
export const sessionEnded = signal<string | undefined>(undefined);

/** Said when the engine refuses the credential in the middle of a session (REST 401, push 4401). */
export const SESSION_ENDED =
  'Your session ended (expired, or its token was revoked): log in again to see live data.';

/** Back to the login form; `reason` is shown on it (none after the user's own logout). */
export function logout(reason?: string): void {
  identity.value = undefined;
  token.value = undefined;
  sessionEnded.value = reason;
  sessionStorage.removeItem(STORAGE_KEY);
}

export const api = new ApiClient(
  () => token.value,
  () => logout(SESSION_ENDED),
);

function remember(t: string | undefined, who: Identity): void {
  token.value = t;
  identity.value = who;
  sessionEnded.value = undefined;
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
    // A wrong token typed in the form is that form's error, not a session that ended.
    logout();
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
    // A kept session that expired meanwhile says so (the 401 did); no session says nothing.
    logout(stored === undefined ? undefined : sessionEnded.value);
  } finally {
    sessionChecked.value = true;
  }
}
