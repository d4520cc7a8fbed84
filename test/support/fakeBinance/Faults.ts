/**
 * The fault state of the fake, shared by the REST side (failRest) and the stream side
 * (drop, skip, duplicate, reorder, stall). Counters are consumed as the faults take effect.
 */
import { RestFaultPlan, serverError } from './RestFaultPlan.js';
import type { RandomFaultKind, RandomFaults, RestAction } from './RestFaultPlan.js';
import type { FakeFaults } from './types.js';

/** What the user-data side does for the faults that act on execution reports. */
export interface UserStreamFaultTarget {
  dropAll(): void;
  duplicateExecutionReports(n: number): void;
  reorderExecutionReports(n: number): void;
  dropExecutionReports(n: number): void;
  reset(): void;
}

/** What the stream side does for the faults that act on connections. */
export interface StreamFaultTarget {
  dropAll(): void;
  stall(ms: number): void;
  /** Ends a stall and a pending reorder: sends what was held, in publication order. */
  release(): void;
}

/** A canned REST failure. */
export interface RestFailure {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

interface RestRule {
  readonly prefix: string;
  readonly failure: RestFailure;
  remaining: number;
}

/** The faults of one FakeBinance. */
export class Faults implements FakeFaults {
  private readonly restRules: RestRule[] = [];
  private readonly skips = new Map<string, number>();
  private duplicates = 0;
  private reorders = 0;
  private readonly plan = new RestFaultPlan(() => Date.now());
  private userStreams: UserStreamFaultTarget | undefined;

  constructor(
    private readonly streams: StreamFaultTarget,
    private readonly knownSymbol: (symbol: string) => boolean,
  ) {}

  dropConnections(): void {
    this.streams.dropAll();
  }

  skipTrades(symbol: string, n: number): void {
    if (!this.knownSymbol(symbol)) throw new Error(`FakeBinance: no market ${symbol}`);
    this.skips.set(symbol, (this.skips.get(symbol) ?? 0) + count(n));
  }

  duplicateNext(n: number): void {
    this.duplicates = count(n);
  }

  reorderNext(n: number): void {
    this.reorders = count(n);
  }

  stall(ms: number): void {
    this.streams.stall(count(ms));
  }

  failRest(pathPrefix: string, status: number, times: number, body?: unknown): void {
    if (!Number.isInteger(status) || status < 400 || status > 599)
      throw new Error(`FakeBinance: bad status ${status}`);
    this.restRules.push({
      prefix: pathPrefix,
      failure: cannedFailure(status, body),
      remaining: count(times),
    });
  }

  latency(pathPrefix: string, ms: number, times = Number.POSITIVE_INFINITY): void {
    this.plan.latency(pathPrefix, count(ms), countOrForever(times));
  }

  dropResponses(pathPrefix: string, times: number): void {
    this.plan.outcome(pathPrefix, 'drop', countOrForever(times));
  }

  failAfterProcessing(pathPrefix: string, times: number, status = 503): void {
    if (!Number.isInteger(status) || status < 500 || status > 599)
      throw new Error(`FakeBinance: failAfterProcessing needs a 5xx status, got ${status}`);
    this.plan.outcome(pathPrefix, { failure: serverError(status), before: false }, countOrForever(times));
  }

  hang(pathPrefix: string, times: number): void {
    this.plan.outcome(pathPrefix, 'hang', countOrForever(times));
  }

  rateLimit(status: 429 | 418, retryAfterSeconds: number, pathPrefix = '/'): void {
    if (status !== 429 && status !== 418)
      throw new Error(`FakeBinance: rateLimit needs 429 or 418, got ${String(status)}`);
    if (!(retryAfterSeconds > 0)) throw new Error('FakeBinance: retryAfterSeconds must be > 0');
    this.plan.armBan(pathPrefix, status, retryAfterSeconds);
  }

  get requestsDuringBan(): number {
    return this.plan.requestsDuringBan;
  }

  get bans(): readonly {
    readonly path: string;
    readonly status: 429 | 418;
    readonly from: number;
    readonly until: number;
  }[] {
    return this.plan.bans;
  }

  random(opts: RandomFaults): void {
    this.plan.random(opts);
  }

  get randomFaults(): readonly { path: string; kind: RandomFaultKind }[] {
    return this.plan.randomFaults;
  }

  dropUserStreams(): void {
    this.userStreams?.dropAll();
  }

  duplicateExecutionReports(n: number): void {
    this.userStreams?.duplicateExecutionReports(count(n));
  }

  reorderExecutionReports(n: number): void {
    this.userStreams?.reorderExecutionReports(count(n));
  }

  dropExecutionReports(n: number): void {
    this.userStreams?.dropExecutionReports(count(n));
  }

  /** Connects the user-data side (created after the faults). */
  attachUserStreams(target: UserStreamFaultTarget): void {
    this.userStreams = target;
  }

  /** The delay and outcome of the next REST request to `path` (consumes the rules it uses). */
  takeRestAction(path: string): RestAction {
    return this.plan.take(path);
  }

  reset(): void {
    this.plan.reset();
    this.userStreams?.reset();
    this.restRules.length = 0;
    this.skips.clear();
    this.duplicates = 0;
    this.reorders = 0;
    this.streams.release();
  }

  /** Whether the next trade of `symbol` is to be withheld from WebSocket (consumes one). */
  takeSkip(symbol: string): boolean {
    const n = this.skips.get(symbol) ?? 0;
    if (n <= 0) return false;
    this.skips.set(symbol, n - 1);
    return true;
  }

  /** Whether the next stream message is to be sent twice (consumes one). */
  takeDuplicate(): boolean {
    if (this.duplicates <= 0) return false;
    this.duplicates--;
    return true;
  }

  /** Whether the next stream message joins the reversed batch; `last` when it completes it. */
  takeReorder(): 'no' | 'hold' | 'last' {
    if (this.reorders <= 0) return 'no';
    this.reorders--;
    return this.reorders === 0 ? 'last' : 'hold';
  }

  /** The failure the next REST call to `path` must answer, if any (consumes one). */
  takeRestFailure(path: string): RestFailure | undefined {
    const rule = this.restRules.find((r) => r.remaining > 0 && path.startsWith(r.prefix));
    if (rule === undefined) return undefined;
    rule.remaining--;
    return rule.failure;
  }
}

function count(n: number): number {
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`FakeBinance: expected a non-negative integer, got ${n}`);
  return n;
}

function countOrForever(n: number): number {
  return n === Number.POSITIVE_INFINITY ? n : count(n);
}

/** What Binance (or the gateway in front of it) answers with `status`. */
function cannedFailure(status: number, body: unknown): RestFailure {
  if (status === 429 || status === 418) {
    const msg =
      status === 429
        ? 'Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.'
        : 'Way too much request weight used; IP banned until 1700000000000. Please use WebSocket Streams for live updates to avoid bans.';
    return { status, body: body ?? { code: -1003, msg }, headers: { 'Retry-After': '1' } };
  }
  if (status >= 500)
    return {
      status,
      body: body ?? (status === 503 ? 'Service Unavailable.' : 'Internal Server Error'),
      headers: {},
    };
  return {
    status,
    body: body ?? { code: -1000, msg: 'An unknown error occurred while processing the request.' },
    headers: {},
  };
}
