import { useState } from 'preact/hooks';
import { login, sessionEnded } from '../state/session';

/** Log in with an API token; with a name it becomes a short session (POST /auth/login). */
export function Login() {
  const [name, setName] = useState('');
  const [tok, setTok] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await login(name, tok);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form class="card" onSubmit={(e) => void submit(e)} data-testid="login-form">
        <h1>quant-trading-system</h1>
        {sessionEnded.value !== undefined && error === undefined && (
          <p class="notice" role="status" data-testid="session-ended">
            {sessionEnded.value}
          </p>
        )}
        <div class="field">
          <label for="login-name">name</label>
          <input
            id="login-name"
            autoComplete="username"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="login-token">API token</label>
          <input
            id="login-token"
            type="password"
            autoComplete="current-password"
            value={tok}
            onInput={(e) => setTok(e.currentTarget.value)}
          />
        </div>
        <button type="submit" class="primary" disabled={busy || tok === ''}>
          Log in
        </button>
        {error !== undefined && (
          <p class="field-error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <p class="muted">
          A token from API_TOKENS (name:role:token). With a name and JWT_SECRET set, it is exchanged for a
          session (15 minutes unless the engine sets api.jwt.ttlSeconds).
        </p>
      </form>
    </main>
  );
}
