import type { NotificationsConfig } from '../../config/configSchema.js';
import { formatFixed } from '../../core/Fixed.js';
import { LIQUIDATIONS, LIQUIDATION_FILLS, ORDER_EVENTS } from '../../kernel/topics.js';
import { secretRegistry } from '../../monitor/SecretRegistry.js';
import { DailySchedule } from '../../notify/DailySchedule.js';
import { NotificationHub } from '../../notify/NotificationHub.js';
import type { NotificationSender } from '../../notify/NotificationSender.js';
import { createSenders } from '../../notify/createSenders.js';
import {
  dailySummaryNotification,
  errorNotification,
  fillNotification,
  killSwitchNotification,
  liquidationNotification,
  riskNotification,
} from '../../notify/engineNotifications.js';
import type { RiskStateRecord } from '../../storage/sqlite/RiskStateStore.js';
import { RiskStateStore } from '../../storage/sqlite/RiskStateStore.js';
import type { EngineHandle, RunningService, ServiceContext, ServiceFactory } from './ServiceContext.js';

export interface NotifyServiceOptions {
  /** How often the kill-switch state and the daily-summary schedule are checked. */
  readonly pollMs?: number;
  /** Tests hand in senders; by default they come from `notifications` in the configuration. */
  readonly senders?: readonly NotificationSender[];
}

/** A running notification service, with its hub (tests read its counters). */
export interface NotifyService extends RunningService {
  readonly hub: NotificationHub;
}

function sameRecord(a: RiskStateRecord | undefined, b: RiskStateRecord | undefined): boolean {
  return (
    a?.since === b?.since &&
    a?.state === b?.state &&
    a?.reason === b?.reason &&
    a?.killSwitch === b?.killSwitch
  );
}

/**
 * Wires the engine's events to the notification hub: fills from the order-event bus,
 * liquidations and auto-deleveragings (critical, one per liquidation however many fill lines
 * it was booked in) from LIQUIDATIONS, circuit-breaker state changes
 * from the risk engine, the kill switch from the persisted risk state (whoever threw it —
 * API, CLI or the engine itself), error-level log lines from the log tail, and a daily
 * summary at `dailySummaryHourUtc`.
 */
export function startNotifyService(
  ctx: ServiceContext,
  opts: NotifyServiceOptions = {},
): NotifyService | undefined {
  const cfg: NotificationsConfig = ctx.config.notifications;
  const senders = opts.senders ?? createSenders(cfg, ctx.now);
  if (senders.length === 0) return undefined;
  for (const s of senders) for (const v of s.secrets) secretRegistry.register(v);
  const hub = new NotificationHub({
    senders,
    now: ctx.now,
    log: ctx.log,
    kinds: cfg.events,
    dedupWindowMs: cfg.dedupWindowMs,
    rateLimit: cfg.rateLimit,
    retry: cfg.retry,
    queueSize: cfg.queueSize,
    timeoutMs: cfg.timeoutMs,
    redact: (t) => secretRegistry.scrub(t),
  });
  const unsubscribe: (() => void)[] = [];
  if (ctx.logTail) {
    unsubscribe.push(
      ctx.logTail.subscribe((line) => {
        if (line.level !== 'error' && line.level !== 'fatal') return;
        // A trading-state change is logged at error level too: the risk notification already says it.
        if ('state' in line.data) return;
        hub.notify(errorNotification(line));
      }),
    );
  }
  const tick = ctx.engine ? watchEngine(ctx, ctx.engine, hub, unsubscribe) : undefined;
  const timer = tick ? setInterval(tick, opts.pollMs ?? 1_000) : undefined;
  timer?.unref();
  ctx.log.info({ senders: senders.map((s) => s.name), events: cfg.events }, 'notifications on');
  return {
    name: 'notifications',
    hub,
    health: () => {
      const stats = hub.stats();
      return {
        name: 'notifications',
        // A dead notification channel is reported, but never makes the engine unready.
        ready: true,
        detail: stats
          .map(
            (s) =>
              `${s.name}: ${s.sent} sent, ${s.failed} failed, ${s.queued} queued, ${s.suppressed} suppressed, ${s.dropped} dropped${s.lastError ? ` (last error: ${s.lastError})` : ''}`,
          )
          .join('; '),
      };
    },
    stop: async () => {
      if (timer !== undefined) clearInterval(timer);
      for (const u of unsubscribe) u();
      await hub.stop();
    },
  };
}

/** Subscribes to the engine; returns the periodic check (kill switch, daily summary). */
function watchEngine(
  ctx: ServiceContext,
  engine: EngineHandle,
  hub: NotificationHub,
  unsubscribe: (() => void)[],
): () => void {
  const node = engine.node;
  const cfg = ctx.config.notifications;
  let fills = 0;
  unsubscribe.push(
    node.bus.subscribe(ORDER_EVENTS, (e) => {
      if (e.type !== 'OrderFilled') return;
      fills++;
      hub.notify(fillNotification(e));
    }),
  );
  unsubscribe.push(
    // A liquidation's fill lines are no order events: each counts as a fill of the day.
    node.bus.subscribe(LIQUIDATION_FILLS, () => {
      fills++;
    }),
    // The liquidation itself is told once, however many lines (trades) it was booked in.
    node.bus.subscribe(LIQUIDATIONS, (e) => hub.notify(liquidationNotification(e))),
  );
  unsubscribe.push(
    node.risk.onStateChange((state, reason, code) => {
      // The kill switch and a resume are persisted and told by the check below (from the API,
      // `qts kill` or `qts resume` alike): telling them here too would send each one twice.
      if (code === 'KILL_SWITCH' || code === 'RESUMED') return;
      hub.notify(riskNotification(state, reason, code, ctx.now()));
    }),
  );
  const riskStore = new RiskStateStore(engine.db);
  let lastRisk = riskStore.load();
  const schedule = new DailySchedule(cfg.dailySummaryHourUtc, ctx.now());
  let period = { since: ctx.now(), equity: node.portfolio.equity() };
  return () => {
    try {
      const risk = riskStore.load();
      if (!sameRecord(risk, lastRisk) && risk !== undefined) {
        if (risk.killSwitch) hub.notify(killSwitchNotification(risk.reason, risk.since));
        else if (risk.state === 'ACTIVE' && lastRisk !== undefined && lastRisk.state !== 'ACTIVE')
          hub.notify(riskNotification('ACTIVE', risk.reason, 'RESUMED', risk.since));
        // Breaker trips arrive through onStateChange, at once.
      }
      lastRisk = risk;
      const now = ctx.now();
      if (schedule.due(now)) {
        const p = node.portfolio;
        const equity = p.equity();
        hub.notify(
          dailySummaryNotification({
            time: now,
            mode: ctx.mode,
            currency: p.currency,
            equity,
            previousEquity: period.equity,
            since: period.since,
            fills,
            openOrders: node.oms.openOrders().length,
            positions: p.ledger
              .allPositions()
              .filter((pos) => pos.qty !== 0n)
              .map((pos) => `${pos.symbol} ${formatFixed(pos.qty)}`),
            tradingState: node.risk.state,
          }),
        );
        period = { since: now, equity };
        fills = 0;
      }
    } catch (e) {
      // The database may be closing under us at stop; the next tick tries again.
      ctx.log.warn({ err: (e as Error).message }, 'notification check failed');
    }
  };
}

/** The side-service entry: off unless a Telegram, email or webhook section is configured. */
export const notifyService: ServiceFactory = (ctx) => Promise.resolve(startNotifyService(ctx));
