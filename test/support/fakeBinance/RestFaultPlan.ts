/**
 * The REST faults that act around a request's processing (Faults.failRest refuses a request
 * before it is read; these go further): latency, a response dropped after the request was
 * processed, a 5xx after the order was accepted, a request never answered, a 429/418 with a
 * Retry-After window during which every request is refused (and counted: a well-behaved
 * client sends none), and a seeded random mix of them for chaos runs.
 * What Binance documents about these: a 5xx or a timeout means the execution status is
 * UNKNOWN (the order may be placed); 429 asks to back off for Retry-After seconds; repeating
 * during it earns a 418 IP ban.
 * https://developers.binance.com/docs/binance-spot-api-docs/rest-api/general-api-information
 */
import type { RestFailure } from './Faults.js';

/**
 * The kinds of fault `random()` picks from. 'rate-limit' answers one request 429 and nothing
 * more; 'ban-429' and 'ban-418' open a Retry-After window like rateLimit(), in which every
 * request to the host is refused and counted in requestsDuringBan.
 */
export type RandomFaultKind =
  'latency' | 'drop' | 'fail-after' | 'fail-before' | 'rate-limit' | 'hang' | 'ban-429' | 'ban-418';

/** Options of a seeded random fault mix. */
export interface RandomFaults {
  readonly seed: number;
  /** Probability (0..1) that a request gets a fault. */
  readonly rate: number;
  /** Kinds to pick from (default every kind but 'hang'). */
  readonly kinds?: readonly RandomFaultKind[];
  /** Upper bound of a random latency (default 200 ms). */
  readonly maxLatencyMs?: number;
  /** Length of a 'ban-429'/'ban-418' window (default 1 s). */
  readonly banSeconds?: number;
  /** Only requests whose path starts with this (default '/'). */
  readonly pathPrefix?: string;
}

/** What happens to one request: an optional delay, then its outcome. */
export interface RestAction {
  readonly delayMs: number;
  /**
   * answer: process and answer; drop: process, then destroy the connection unanswered;
   * hang: never process nor answer; a failure: `before` answers it unprocessed, otherwise the
   * request is processed and the failure answered instead of the result.
   */
  readonly outcome: 'answer' | 'drop' | 'hang' | { readonly failure: RestFailure; readonly before: boolean };
}

interface Rule {
  readonly prefix: string;
  remaining: number;
}

interface OutcomeRule extends Rule {
  readonly outcome: RestAction['outcome'];
}

const ANSWER: RestAction = { delayMs: 0, outcome: 'answer' };
const DEFAULT_KINDS: readonly RandomFaultKind[] = [
  'latency',
  'drop',
  'fail-after',
  'fail-before',
  'rate-limit',
];

/** Latency, outcome, ban and random rules. */
export class RestFaultPlan {
  private readonly latencies: (Rule & { readonly ms: number })[] = [];
  private readonly outcomes: OutcomeRule[] = [];
  private armedBan: { prefix: string; status: 429 | 418; seconds: number } | undefined;
  private banUntil = 0;
  private banStatus: 429 | 418 = 429;
  private bannedCount = 0;
  /** The random mode; `bag` holds the kinds left in the current round. */
  private chaos: (RandomFaults & { next: () => number; bag: RandomFaultKind[] }) | undefined;
  private readonly chaosLog: { path: string; kind: RandomFaultKind }[] = [];
  private readonly banLog: { path: string; status: 429 | 418; from: number; until: number }[] = [];

  /** @param wallClock real time, for the ban window (Retry-After is in real seconds). */
  constructor(private readonly wallClock: () => number) {}

  /** Requests received while a 429/418 window was in force. */
  get requestsDuringBan(): number {
    return this.bannedCount;
  }

  /** The 429/418 windows opened so far (armed or random), with the path that opened each. */
  get bans(): readonly {
    readonly path: string;
    readonly status: 429 | 418;
    readonly from: number;
    readonly until: number;
  }[] {
    return this.banLog;
  }

  /** Faults the random mode injected, in order. */
  get randomFaults(): readonly { path: string; kind: RandomFaultKind }[] {
    return this.chaosLog;
  }

  latency(prefix: string, ms: number, times: number): void {
    this.latencies.push({ prefix, ms, remaining: times });
  }

  outcome(prefix: string, outcome: RestAction['outcome'], times: number): void {
    this.outcomes.push({ prefix, outcome, remaining: times });
  }

  armBan(prefix: string, status: 429 | 418, seconds: number): void {
    this.armedBan = { prefix, status, seconds };
  }

  random(opts: RandomFaults): void {
    if (!(opts.rate >= 0 && opts.rate <= 1))
      throw new Error(`FakeBinance: rate must be in [0, 1], got ${opts.rate}`);
    this.chaos = { ...opts, next: mulberry32(opts.seed), bag: [] };
  }

  reset(): void {
    this.latencies.length = 0;
    this.outcomes.length = 0;
    this.armedBan = undefined;
    this.banUntil = 0;
    this.bannedCount = 0;
    this.chaos = undefined;
    this.chaosLog.length = 0;
    this.banLog.length = 0;
  }

  /** The action for the next request to `path` (consumes the rules it uses). */
  take(path: string): RestAction {
    const now = this.wallClock();
    if (now < this.banUntil) {
      this.bannedCount++;
      return {
        delayMs: 0,
        outcome: { failure: banFailure(this.banStatus, this.banUntil, now), before: true },
      };
    }
    if (this.armedBan !== undefined && path.startsWith(this.armedBan.prefix)) {
      const { status, seconds } = this.armedBan;
      this.armedBan = undefined;
      this.banStatus = status;
      this.banUntil = now + seconds * 1000;
      this.banLog.push({ path, status, from: now, until: this.banUntil });
      return { delayMs: 0, outcome: { failure: banFailure(status, this.banUntil, now), before: true } };
    }
    const lat = this.latencies.find((r) => r.remaining > 0 && path.startsWith(r.prefix));
    if (lat !== undefined) lat.remaining--;
    const out = this.outcomes.find((r) => r.remaining > 0 && path.startsWith(r.prefix));
    if (out !== undefined) out.remaining--;
    const planned: RestAction = { delayMs: lat?.ms ?? 0, outcome: out?.outcome ?? 'answer' };
    if (lat !== undefined || out !== undefined) return planned;
    return this.randomAction(path) ?? ANSWER;
  }

  private randomAction(path: string): RestAction | undefined {
    const c = this.chaos;
    if (c === undefined || !path.startsWith(c.pathPrefix ?? '/')) return undefined;
    if (c.next() >= c.rate) return undefined;
    // Kinds come in seeded rounds, each kind once per round in shuffled order: a run with at
    // least kinds.length faults has met every kind, whatever the seed.
    if (c.bag.length === 0) c.bag.push(...(c.kinds ?? DEFAULT_KINDS));
    const kind = c.bag.splice(Math.floor(c.next() * c.bag.length), 1)[0] ?? 'latency';
    this.chaosLog.push({ path, kind });
    switch (kind) {
      case 'latency':
        return { delayMs: Math.floor(c.next() * (c.maxLatencyMs ?? 200)), outcome: 'answer' };
      case 'drop':
        return { delayMs: 0, outcome: 'drop' };
      case 'hang':
        return { delayMs: 0, outcome: 'hang' };
      case 'fail-after':
        return { delayMs: 0, outcome: { failure: serverError(503), before: false } };
      case 'fail-before':
        return { delayMs: 0, outcome: { failure: serverError(502), before: true } };
      case 'rate-limit':
        return {
          delayMs: 0,
          outcome: { failure: banFailure(429, this.wallClock() + 1000, this.wallClock()), before: true },
        };
      case 'ban-429':
      case 'ban-418': {
        const status = kind === 'ban-429' ? 429 : 418;
        const now = this.wallClock();
        this.banStatus = status;
        this.banUntil = now + (c.banSeconds ?? 1) * 1000;
        this.banLog.push({ path, status, from: now, until: this.banUntil });
        return { delayMs: 0, outcome: { failure: banFailure(status, this.banUntil, now), before: true } };
      }
    }
  }
}

/** The answer of Binance's gateway when the backend failed (plain text, no JSON). */
export function serverError(status: number): RestFailure {
  return { status, body: status === 503 ? 'Service Unavailable.' : 'Internal Server Error', headers: {} };
}

/** 429 (back off) or 418 (IP banned) with the seconds left in Retry-After. */
function banFailure(status: 429 | 418, until: number, now: number): RestFailure {
  const msg =
    status === 429
      ? 'Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.'
      : `Way too much request weight used; IP banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.`;
  return {
    status,
    body: { code: -1003, msg },
    headers: { 'Retry-After': String(Math.max(1, Math.ceil((until - now) / 1000))) },
  };
}

/** A small seeded PRNG (mulberry32): the same seed gives the same faults. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
