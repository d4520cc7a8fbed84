import { createHash } from 'node:crypto';
import type { Fixed } from '../../core/Fixed.js';
import { formatFixed } from '../../core/Fixed.js';
import { ORDER_EVENTS } from '../../kernel/topics.js';
import type { OrderEvent } from '../../model/events.js';
import type { AuditSink } from '../../monitor/AuditSink.js';
import { FileAuditLog } from '../../monitor/audit/FileAuditLog.js';
import { canonicalJson } from '../../monitor/audit/auditHash.js';
import { redactSecrets } from '../../monitor/redactSecrets.js';
import type { RiskStateRecord } from '../../storage/sqlite/RiskStateStore.js';
import { RiskStateStore } from '../../storage/sqlite/RiskStateStore.js';
import type { EngineHandle, RunningService, ServiceContext, ServiceFactory } from './ServiceContext.js';

/** Audit kind of each order event: the intent, the risk engine's decision, and what became of it. */
const ORDER_KINDS: Readonly<Partial<Record<OrderEvent['type'], string>>> = {
  OrderInitialized: 'order.intent',
  OrderDenied: 'risk.denied',
  OrderSubmitted: 'risk.accepted',
  OrderAccepted: 'order.accepted',
  OrderFilled: 'order.filled',
  OrderCancelRequested: 'order.cancel_requested',
  OrderCanceled: 'order.canceled',
  OrderRejected: 'order.rejected',
  OrderExpired: 'order.expired',
};

/** Exact amounts (Fixed bigints) as the decimal strings a reader expects, at any depth. */
function plain(value: unknown): unknown {
  // Every bigint of an order event is a Fixed amount.
  if (typeof value === 'bigint') return formatFixed(value as Fixed);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(plain);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = plain(v);
  return out;
}

/** The audit record of an order event, or undefined for events the trail does not keep. */
export function orderAuditRecord(e: OrderEvent): { kind: string; data: Record<string, unknown> } | undefined {
  const kind = ORDER_KINDS[e.type];
  if (kind === undefined) return undefined;
  const { type: _type, ...fields } = e;
  return { kind, data: plain(fields) as Record<string, unknown> };
}

/** SHA-256 of the configuration with its secrets redacted: two runs with one hash ran one config. */
export function configHash(config: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(redactSecrets(config)))
    .digest('hex');
}

function watchTradingState(engine: EngineHandle, audit: AuditSink): () => void {
  const store = new RiskStateStore(engine.db);
  let last: RiskStateRecord | undefined = store.load();
  audit.record(
    'trading.state',
    {
      state: engine.node.risk.state,
      reason: last?.reason ?? '',
      killSwitch: last?.killSwitch ?? false,
      atStart: true,
    },
    'system',
  );
  return () => {
    const now = store.load();
    if (
      now === undefined ||
      (now.since === last?.since && now.state === last.state && now.reason === last.reason)
    )
      return;
    last = now;
    // The reason names who did it ("kill switch (by api:alice)"): the runtime writes it so.
    audit.record(
      'trading.state',
      { state: now.state, reason: now.reason, killSwitch: now.killSwitch, since: now.since },
      'system',
    );
  };
}

/**
 * The audit trail of a running engine: the configuration it started with (hash and redacted
 * copy), every order intent, risk decision (denied with its code, or accepted and sent), venue
 * acknowledgement, fill, cancel, reject and expiry from the order-event bus, circuit breakers
 * as they trip, and every persisted trading-state change — kill switch and resume included,
 * whoever threw them (API, CLI, engine), read from the risk state the runtime persists.
 * API commands and logins are recorded by the API itself through the same sink.
 */
export const auditService: ServiceFactory = (ctx) => Promise.resolve(startAuditService(ctx));

export function startAuditService(ctx: ServiceContext, opts: { pollMs?: number } = {}): RunningService {
  const audit = ctx.audit;
  audit.record(
    'config.loaded',
    { mode: ctx.mode, hash: configHash(ctx.config), config: redactSecrets(ctx.config) },
    'system',
  );
  const stops: (() => void)[] = [];
  const engine = ctx.engine;
  if (engine !== undefined) {
    stops.push(
      engine.node.bus.subscribe(ORDER_EVENTS, (e) => {
        const r = orderAuditRecord(e);
        if (r !== undefined) audit.record(r.kind, r.data, e.strategyId);
      }),
    );
    stops.push(
      engine.node.risk.onStateChange((state, reason, code) =>
        audit.record('risk.breaker_tripped', { state, reason, code }, 'risk'),
      ),
    );
    const poll = watchTradingState(engine, audit);
    const timer = setInterval(poll, opts.pollMs ?? 500);
    timer.unref();
    stops.push(() => {
      clearInterval(timer);
      poll();
    });
  }
  return {
    name: 'audit',
    ...(audit instanceof FileAuditLog ? { health: () => audit.health() } : {}),
    stop() {
      for (const s of stops.splice(0)) s();
      return Promise.resolve();
    },
  };
}
