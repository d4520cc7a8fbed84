/**
 * Every expected failure in the system carries a stable code (`ERR_…`), so callers,
 * the API and the audit log can branch on it without parsing messages.
 */
export class QtsError extends Error {
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'QtsError';
    this.code = code;
    this.details = details;
  }
}

/** True when `e` is a QtsError with the given code (or any code when omitted). */
export function isQtsError(e: unknown, code?: string): e is QtsError {
  return e instanceof QtsError && (code === undefined || e.code === code);
}
