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
  /** The same alternatives in a lookahead: a match at every position, overlapping ones too. */
  private finder: RegExp | undefined;

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
    const alternatives = this.ordered.map(escapeRegExp).join('|');
    this.pattern = new RegExp(alternatives, 'g');
    this.finder = new RegExp(`(?=(${alternatives}))`, 'g');
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
      out = this.replaceAll(out);
      this.pattern.lastIndex = 0;
      if (!this.pattern.test(out)) return out;
    }
    return REDACTED;
  }

  /**
   * Replaces the union of every occurrence with one [REDACTED] per stretch. A plain
   * left-to-right replace would redact the first of two overlapping secrets and leave the
   * tail of the second ("xxxxBBBB" then "BBBBCCCC": "CCCC" would stay).
   */
  private replaceAll(text: string): string {
    const finder = this.finder as RegExp;
    let out = '';
    let copied = 0;
    let start = -1;
    let end = -1;
    for (const m of text.matchAll(finder)) {
      const at = m.index;
      const until = at + (m[1] ?? '').length;
      if (at > end) {
        if (start >= 0) out += `${text.slice(copied, start)}${REDACTED}`;
        copied = end < 0 ? 0 : end;
        start = at;
      }
      end = Math.max(end, until);
    }
    if (start < 0) return text;
    return `${out}${text.slice(copied, start)}${REDACTED}${text.slice(end)}`;
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
    ...base64Inner(Buffer.from(value, 'utf8')),
  ];
}

/**
 * The base64 characters that encode only the secret's bytes, for each of the three byte
 * offsets it can start at inside a longer payload (Basic auth is base64("user:password"),
 * SMTP AUTH PLAIN base64("\0user\0password")), in standard and URL-safe alphabets.
 * Character i encodes bits [6i, 6i+6): it is the secret's alone when they lie in its bytes.
 */
function base64Inner(bytes: Buffer): string[] {
  const out: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const text = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    const inner = text.slice(Math.ceil((8 * shift) / 6), Math.floor((8 * (shift + bytes.length)) / 6));
    out.push(inner, inner.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The process-wide registry: config loading, key decryption and notifier setup register
 * into it; the logger, the audit log, the API's error replies and the notifiers scrub with it.
 */
export const secretRegistry = new SecretRegistry();
