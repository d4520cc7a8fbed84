/** What a scrubbed secret is replaced with, everywhere it would have left the process. */
export const REDACTED = '[REDACTED]';

/**
 * Shorter values are not registered: scrubbing "abc" out of every log line would mangle
 * ordinary text and protects nothing (real keys, tokens and passwords are longer).
 */
export const MIN_SECRET_LENGTH = 6;

/**
 * Secret VALUES known to this process (API tokens, exchange keys, MASTER_KEY, JWT secret,
 * notifier tokens), scrubbed from every text that leaves it: log lines, audit lines, error
 * messages sent to API clients, notifications, metrics labels. Key-based redaction (an
 * `apiKey` field) misses a secret quoted inside an error message or a URL; this catches it.
 *
 * Whoever reads a secret registers it at once (config loading, key decryption). Each value is
 * registered with the forms it takes when embedded in JSON or a URL, so a token inside a
 * serialized log line or a Telegram URL is found as well.
 */
export class SecretRegistry {
  private readonly values = new Set<string>();
  /** Longest first, so a secret containing another one is replaced whole. */
  private ordered: string[] = [];
  private pattern: RegExp | undefined;

  /** Registers a secret value; too short, empty or non-string values are ignored. */
  register(value: unknown): void {
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
    let added = false;
    for (const form of formsOf(value)) {
      if (form.length < MIN_SECRET_LENGTH || this.values.has(form)) continue;
      this.values.add(form);
      added = true;
    }
    if (!added) return;
    this.ordered = [...this.values].sort((a, b) => b.length - a.length);
    this.pattern = new RegExp(this.ordered.map(escapeRegExp).join('|'), 'g');
  }

  /** How many distinct forms are registered (tests and diagnostics; never the values). */
  get size(): number {
    return this.values.size;
  }

  /** True when `text` contains a registered secret. */
  contains(text: string): boolean {
    if (this.pattern === undefined) return false;
    this.pattern.lastIndex = 0;
    return this.pattern.test(text);
  }

  /** `text` with every registered secret replaced by [REDACTED]. */
  scrub(text: string): string {
    if (this.pattern === undefined) return text;
    this.pattern.lastIndex = 0;
    // Cheap test first: almost every line holds no secret and is returned as is.
    if (!this.pattern.test(text)) return text;
    let out = text;
    // A replacement's tail plus the text after it can spell a secret again ("D]zzzz" after
    // "[REDACTED]"): repeat until none is left, and give up on the whole text if it persists.
    for (let round = 0; round < 8; round++) {
      this.pattern.lastIndex = 0;
      out = out.replace(this.pattern, REDACTED);
      this.pattern.lastIndex = 0;
      if (!this.pattern.test(out)) return out;
    }
    return REDACTED;
  }

  /** A deep copy of `value` with every string scrubbed (plain objects and arrays are walked). */
  scrubDeep<T>(value: T): T {
    return this.walk(value, 0) as T;
  }

  private walk(value: unknown, depth: number): unknown {
    if (typeof value === 'string') return this.scrub(value);
    if (value === null || typeof value !== 'object' || depth > 32) return value;
    if (Array.isArray(value)) return value.map((v) => this.walk(v, depth + 1));
    if (value instanceof Error) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[this.scrub(k)] = this.walk(v, depth + 1);
    return out;
  }
}

function formsOf(value: string): string[] {
  return [
    value,
    // As it appears inside a JSON string (quotes, backslashes, control characters escaped).
    JSON.stringify(value).slice(1, -1),
    // As it appears in a URL (Telegram puts the bot token in the path).
    encodeURIComponent(value),
    // As it appears in HTTP Basic authorization or a base64 payload.
    Buffer.from(value, 'utf8').toString('base64'),
  ];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The process-wide registry: config loading, key decryption and notifier setup register
 * into it; the logger, the audit log, the API's error replies and the notifiers scrub with it.
 */
export const secretRegistry = new SecretRegistry();
