import { RecentMap } from '../core/RecentMap.js';
import { isQtsError } from '../core/QtsError.js';
import type { Notification, NotificationKind, Notifier } from './Notification.js';
import type { NotificationSender } from './NotificationSender.js';
import { NotifyErrorCode } from './NotificationSender.js';
import { TokenBucket } from './TokenBucket.js';

/** Where the hub reports its own delivery problems (a pino logger fits). */
export interface HubLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface NotificationHubOptions {
  readonly senders: readonly NotificationSender[];
  readonly now: () => number;
  readonly log: HubLog;
  /** Kinds to send (the hub's own `suppressed` summaries always go). Default: all. */
  readonly kinds?: readonly NotificationKind[];
  readonly dedupWindowMs: number;
  readonly rateLimit: { readonly perMinute: number; readonly burst: number };
  readonly retry: { readonly attempts: number; readonly baseDelayMs: number; readonly maxDelayMs: number };
  readonly queueSize: number;
  /** Per delivery attempt. */
  readonly timeoutMs: number;
  /** Scrubs secrets from outgoing text and log lines (the process-wide secret registry). */
  readonly redact?: (text: string) => string;
}

/** Delivery counters of one sender, for health and tests. */
export interface SenderStats {
  readonly name: string;
  readonly sent: number;
  readonly failed: number;
  /** Dropped because the queue was full (the channel is down or slow). */
  readonly dropped: number;
  /** Held back by the rate limit (then reported in one summary message). */
  readonly suppressed: number;
  readonly retries: number;
  readonly queued: number;
  readonly lastError: string | undefined;
}

interface Channel {
  readonly sender: NotificationSender;
  readonly bucket: TokenBucket;
  readonly queue: Notification[];
  /** Held back since the last summary, per kind. */
  readonly pending: Map<string, number>;
  summaryTimer: NodeJS.Timeout | undefined;
  busy: boolean;
  sent: number;
  failed: number;
  dropped: number;
  suppressed: number;
  retries: number;
  lastError: string | undefined;
}

const DEDUP_CAPACITY = 10_000;

/**
 * Fans notifications out to every sender. `notify` is synchronous and cheap: it filters,
 * deduplicates, applies each sender's rate limit and queues; each sender drains its own
 * bounded queue in order, retrying transient failures with exponential backoff. A dead
 * channel fills and then rotates its queue — it never blocks the engine or the others.
 */
export class NotificationHub implements Notifier {
  private readonly channels: Channel[];
  private readonly kinds: ReadonlySet<string> | undefined;
  private readonly seen = new RecentMap<string, number>(DEDUP_CAPACITY);
  private readonly secrets: readonly string[];
  private readonly abort = new AbortController();
  private readonly idleWaiters: (() => void)[] = [];
  private stopped = false;
  /** Notifications dropped as duplicates. */
  duplicates = 0;

  constructor(private readonly opts: NotificationHubOptions) {
    const now = opts.now();
    this.kinds = opts.kinds === undefined ? undefined : new Set(opts.kinds);
    this.secrets = opts.senders.flatMap((s) => s.secrets).filter((s) => s.length > 0);
    this.channels = opts.senders.map((sender) => ({
      sender,
      bucket: new TokenBucket(opts.rateLimit.burst, opts.rateLimit.perMinute / 60_000, now),
      queue: [],
      pending: new Map(),
      summaryTimer: undefined,
      busy: false,
      sent: 0,
      failed: 0,
      dropped: 0,
      suppressed: 0,
      retries: 0,
      lastError: undefined,
    }));
  }

  /** Every secret this hub knows, removed from `text`. */
  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('[REDACTED]');
    return this.opts.redact ? this.opts.redact(out) : out;
  }

  notify(n: Notification): void {
    try {
      this.accept(n);
    } catch (e) {
      // The engine called us from a fill or a risk decision: never throw back into it.
      this.opts.log.warn({ err: this.redact(String(e)) }, 'notification dropped: internal error');
    }
  }

  private accept(n: Notification): void {
    if (this.stopped || (this.kinds !== undefined && n.kind !== 'suppressed' && !this.kinds.has(n.kind)))
      return;
    const now = this.opts.now();
    const key = n.dedupKey ?? `${n.kind}|${n.title}|${n.text}`;
    const last = this.seen.get(key);
    if (last !== undefined && now - last < this.opts.dedupWindowMs) {
      this.duplicates++;
      return;
    }
    this.seen.set(key, now);
    const clean: Notification = { ...n, title: this.redact(n.title), text: this.redact(n.text) };
    for (const ch of this.channels) {
      if (n.severity === 'critical' || ch.bucket.tryTake(now)) this.enqueue(ch, clean);
      else this.hold(ch, n);
    }
  }

  private enqueue(ch: Channel, n: Notification): void {
    if (ch.queue.length >= this.opts.queueSize) {
      ch.queue.shift();
      ch.dropped++;
    }
    ch.queue.push(n);
    this.pump(ch);
  }

  /** Rate-limited: count it, and schedule one summary for when the bucket has a token again. */
  private hold(ch: Channel, n: Notification): void {
    ch.suppressed++;
    ch.pending.set(n.kind, (ch.pending.get(n.kind) ?? 0) + 1);
    if (ch.summaryTimer !== undefined) return;
    const wait = Math.max(1, ch.bucket.msUntilToken(this.opts.now()));
    ch.summaryTimer = setTimeout(() => this.flushHeld(ch), wait);
    ch.summaryTimer.unref();
  }

  private flushHeld(ch: Channel): void {
    ch.summaryTimer = undefined;
    if (this.stopped || ch.pending.size === 0) return;
    const now = this.opts.now();
    if (!ch.bucket.tryTake(now)) {
      ch.summaryTimer = setTimeout(() => this.flushHeld(ch), Math.max(1, ch.bucket.msUntilToken(now)));
      ch.summaryTimer.unref();
      return;
    }
    const total = [...ch.pending.values()].reduce((a, b) => a + b, 0);
    const byKind = [...ch.pending.entries()].map(([k, c]) => `${k}: ${c}`).join(', ');
    ch.pending.clear();
    this.enqueue(ch, {
      kind: 'suppressed',
      severity: 'warning',
      title: `${total} notification${total === 1 ? '' : 's'} suppressed by the rate limit`,
      text: `Held back on ${ch.sender.name} (${byKind}). See the engine log and the dashboard for the details.`,
      time: now,
      data: { suppressed: total },
    });
  }

  private pump(ch: Channel): void {
    if (ch.busy) return;
    ch.busy = true;
    void this.drain(ch).finally(() => {
      ch.busy = false;
      if (ch.queue.length > 0 && !this.abort.signal.aborted) this.pump(ch);
      else this.wakeIdle();
    });
  }

  private async drain(ch: Channel): Promise<void> {
    while (ch.queue.length > 0 && !this.abort.signal.aborted) {
      const n = ch.queue.shift() as Notification;
      await this.deliver(ch, n);
    }
  }

  private async deliver(ch: Channel, n: Notification): Promise<void> {
    const { attempts, baseDelayMs, maxDelayMs } = this.opts.retry;
    for (let attempt = 1; ; attempt++) {
      try {
        const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.opts.timeoutMs)]);
        await ch.sender.send(n, signal);
        ch.sent++;
        return;
      } catch (e) {
        const message = this.redact(e instanceof Error ? e.message : String(e));
        ch.lastError = message;
        // A QtsError says whether it is worth retrying; anything else (a bug, a library error) is retried.
        const final =
          isQtsError(e, NotifyErrorCode.Rejected) || attempt >= attempts || this.abort.signal.aborted;
        if (final) {
          ch.failed++;
          this.opts.log.warn(
            { sender: ch.sender.name, kind: n.kind, attempts: attempt, err: message },
            `notification not delivered by ${ch.sender.name}: ${message}`,
          );
          return;
        }
        ch.retries++;
        const told = isQtsError(e) ? e.details?.['retryAfterMs'] : undefined;
        const backoff = typeof told === 'number' ? told : baseDelayMs * 2 ** (attempt - 1);
        await this.sleep(Math.min(maxDelayMs, backoff));
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.abort.signal;
      if (signal.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private wakeIdle(): void {
    if (!this.isIdle()) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private isIdle(): boolean {
    return this.channels.every((c) => !c.busy && c.queue.length === 0);
  }

  /** Resolves once every queue is empty and nothing is in flight. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stats(): SenderStats[] {
    return this.channels.map((c) => ({
      name: c.sender.name,
      sent: c.sent,
      failed: c.failed,
      dropped: c.dropped,
      suppressed: c.suppressed,
      retries: c.retries,
      queued: c.queue.length,
      lastError: c.lastError,
    }));
  }

  /**
   * Stops accepting, gives queued messages up to `drainMs` to go out (the kill switch that
   * stopped the engine should still reach someone), then aborts whatever is in flight.
   */
  async stop(drainMs = 3_000): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const c of this.channels) if (c.summaryTimer !== undefined) clearTimeout(c.summaryTimer);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.idle(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, drainMs);
      }),
    ]);
    clearTimeout(timer);
    this.abort.abort();
    for (const c of this.channels) {
      c.dropped += c.queue.length;
      c.queue.length = 0;
    }
    this.wakeIdle();
    await Promise.all(
      this.channels.map((c) =>
        c.sender.close ? c.sender.close().catch(() => undefined) : Promise.resolve(),
      ),
    );
  }
}
