/**
 * A refusal of the API: its stable code (`ERR_…`), its message (which names the field a
 * form got wrong) and the HTTP status. The dashboard shows the message as the API wrote it.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /**
   * The form field the message is about, if it names one of `fields`: the API writes
   * `fast: …`, `params.fast: …` or `invalid parameters for sma-cross: fast: …`.
   */
  fieldAmong(fields: readonly string[]): string | undefined {
    for (const f of fields) {
      const escaped = f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      if (new RegExp(`(^|[\\s.;:])${escaped}:`).test(this.message)) return f;
    }
    return undefined;
  }
}

/** Called when the credential is refused (expired session): the app goes back to login. */
export type OnUnauthorized = () => void;

/** The REST API of the engine that served this page, under /api/v1, with a bearer token. */
export class ApiClient {
  constructor(
    private readonly token: () => string | undefined,
    private readonly onUnauthorized: OnUnauthorized = () => undefined,
    private readonly base = '/api/v1',
  ) {}

  get<T>(path: string, query?: Readonly<Record<string, string | number | boolean | undefined>>): Promise<T> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') q.set(k, String(v));
    const qs = q.toString();
    return this.call<T>('GET', qs === '' ? path : `${path}?${qs}`);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('PUT', path, body);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = this.token();
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(0, 'ERR_NETWORK', `the engine did not answer (${(e as Error).message})`);
    }
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON (a proxy's error page): reported below with the status.
    }
    if (!res.ok && res.status !== 503) {
      const err = json as { error?: unknown; message?: unknown } | undefined;
      const code = typeof err?.error === 'string' ? err.error : `HTTP_${res.status}`;
      const message = typeof err?.message === 'string' ? err.message : `${res.status} ${res.statusText}`;
      if (res.status === 401 && token !== undefined) this.onUnauthorized();
      throw new ApiError(res.status, code, message);
    }
    return json as T;
  }
}
