import type { Logger } from 'pino';
import type { AppConfig } from '../config/configSchema.js';
import { formatFixed, ZERO } from '../core/Fixed.js';
import { QtsError } from '../core/QtsError.js';
import type { Order } from '../model/Order.js';
import { LIQUIDATION_FILLS, ORDER_EVENTS } from '../kernel/topics.js';
import { FillStore } from '../storage/sqlite/FillStore.js';
import { openTripFromFills } from './openTripFromFills.js';
import type { LiveClock } from '../kernel/LiveClock.js';
import type { TradingNode } from '../node/TradingNode.js';
import { parseSizing } from '../portfolio/Sizer.js';
import type { SqliteDatabase } from '../storage/sqlite/openDatabase.js';
import { StrategyControls } from '../api/engine/StrategyControls.js';
import type { AuditSink } from '../monitor/AuditSink.js';
import type { BreakerAnchorStore } from './BreakerAnchorStore.js';
import type { RuntimeStores } from './openRuntimeStorage.js';
import type { DeploymentPlan } from './planDeployments.js';
import type { RuntimeVenue } from './RuntimeVenue.js';

/** What a restart resumes from: the engine's parts and the system of record. */
export interface RestoreContext {
  readonly config: AppConfig;
  readonly node: TradingNode;
  readonly venue: RuntimeVenue;
  readonly clock: LiveClock;
  readonly log: Logger;
  readonly audit: AuditSink;
  readonly db: SqliteDatabase;
  readonly runId: string;
  readonly stores: RuntimeStores;
  readonly breaker: BreakerAnchorStore;
}

/**
 * The start of an engine as a restart: what the last run left in SQLite (open orders,
 * breaker anchors, the trading state, cancels asked, the kill switch, strategy controls)
 * comes back in two steps around the venue's preparation, so that no strategy ever runs on
 * an account or an order book that is not yet the one the last run left.
 */
export class RuntimeRestore {
  constructor(private readonly ctx: RestoreContext) {}

  /** Before the venue is prepared: the book, the breakers, the trading state and the strategies. */
  beforeVenue(plan: DeploymentPlan): void {
    this.restoreOrders();
    this.restoreBreakers();
    this.restoreTradingState();
    this.addStrategies(plan);
    this.snapshotLedgerOnFills();
  }

  /** Once the venue holds the restored orders (live: reconciled), before any strategy runs. */
  afterVenue(): void {
    this.resumeCancels();
    this.holdKillSwitch();
    this.restoreStrategyControls();
    this.resumeRoundTrips();
  }

  /**
   * Open positions (as the venue's preparation left them: live, reconciled) go on as round
   * trips of the strategy whose fill last moved them, so the loss of one closed or liquidated
   * after the restart counts in that strategy's loss streak.
   */
  private resumeRoundTrips(): void {
    const { node, db } = this.ctx;
    const fills = new FillStore(db);
    for (const p of node.portfolio.ledger.allPositions()) {
      if (p.qty === ZERO) continue;
      const trip = openTripFromFills(
        (limit, offset) => fills.list({ symbol: p.symbol, limit, offset }),
        p.qty,
        node.portfolio.currency,
      );
      if (trip !== undefined) node.resumeRoundTrip(p.symbol, trip.strategyId, trip.fees);
    }
  }

  /**
   * The journal's open orders, back in the OMS and the venue. An order sent on a symbol this
   * configuration no longer trades (its strategy removed) stops the start: the engine has no
   * instrument, prices or order stream for it, so it could neither manage nor book it, and
   * reconciliation would see it as gone from the exchange while it still rests there.
   */
  private restoreOrders(): void {
    const { node, venue, stores } = this.ctx;
    const open = stores.orders.loadOpenOrders();
    this.refuseUntraded(open.filter((o) => o.status !== 'INITIALIZED'));
    for (const order of open) {
      if (order.status === 'INITIALIZED') {
        // Never sent before the stop: deny it rather than send it late, on stale intent.
        node.oms.adopt(order);
        node.oms.deny(order, 'ERR_RESTART_NOT_SENT', 'engine stopped before the order was sent');
        continue;
      }
      node.oms.adopt(order);
      venue.adopt(order);
    }
  }

  private refuseUntraded(sent: readonly Order[]): void {
    const { node, config } = this.ctx;
    const untraded = sent.filter((o) => !node.trades(o.symbol));
    if (untraded.length === 0) return;
    const untradedSymbols = [...new Set(untraded.map((o) => o.symbol))];
    const symbols = untradedSymbols.join(', ');
    const orders = untraded
      .map(
        (o) =>
          `${o.id} (${o.strategyId}: ${o.side} ${o.request.type} ${formatFixed(o.quantity)} ${o.symbol}, ${o.status})`,
      )
      .join('; ');
    const remedy =
      config.mode === 'live'
        ? `cancel them on the exchange, or trade ${symbols} again (a strategy on it) and cancel or keep them through the API`
        : `trade ${symbols} again (a strategy on it) and cancel or keep them through the API`;
    throw new QtsError(
      'ERR_RESTORE_SYMBOL_NOT_TRADED',
      `open orders of the last run rest on ${symbols}, which this configuration does not trade: ${orders}; ${remedy}`,
      { symbols: untradedSymbols, orderIds: untraded.map((o) => o.id) },
    );
  }

  /** The circuit breakers as configured, anchored where the last run left them. */
  private restoreBreakers(): void {
    const { config, node, breaker, clock } = this.ctx;
    const risk = config.risk;
    node.risk.configureBreakers({
      dailyLossLimitPct: risk.dailyLossLimitPct,
      maxDrawdownPct: risk.maxDrawdownPct,
      breakerState: risk.breakerState,
      consecutiveLossLimit: risk.consecutiveLossLimit,
      cooldownMs: risk.cooldownMs,
    });
    breaker.restore(clock.now());
  }

  /** Each change of the trading state is saved; the last run's state comes back (a halt survives a restart). */
  private restoreTradingState(): void {
    const { node, stores, clock, log } = this.ctx;
    node.risk.onStateChange((state, reason, code) => {
      stores.risk.save({ state, reason, since: clock.now(), killSwitch: false });
      log[state === 'ACTIVE' ? 'warn' : 'error']({ code, state }, `TRADING ${state}: ${reason}`);
    });
    const risk = stores.risk.load();
    if (risk) {
      node.risk.setState(risk.state);
      if (risk.state !== 'ACTIVE')
        log.warn(
          { state: risk.state, reason: risk.reason },
          `trading state ${risk.state} restored: ${risk.reason}`,
        );
    }
  }

  /**
   * A cancel outlives the process: an open order whose cancel was journaled but never
   * confirmed by the venue before the stop (crash, kill -9, restart) is asked to cancel again,
   * once the venue holds the restored orders (live: reconciled, so an order the exchange ended
   * meanwhile is already closed) and before any strategy runs. The strategy that owns the order
   * hears of the cancel once it runs, after its warm-up (TradingNode holds its order events).
   */
  private resumeCancels(): void {
    const asked = this.ctx.node.oms.resumeCancels();
    if (asked.length > 0)
      this.ctx.log.warn(
        { orders: asked.map((o) => o.id) },
        `${asked.length} cancel(s) not confirmed before the last stop: asked of the venue again`,
      );
  }

  /**
   * A kill switch outlives the process: orders still open after a restart (a cancel the
   * exchange never confirmed before the stop, orders restored from the journal) are canceled
   * again before any strategy runs (each strategy hears of its cancels once it runs). A
   * breaker's HALTED keeps its orders, as before the stop.
   */
  private holdKillSwitch(): void {
    const { node, stores, log } = this.ctx;
    if (stores.risk.load()?.killSwitch !== true) return;
    const open = node.oms.openOrders();
    for (const o of open) node.oms.cancel(o.id, 'kill switch (still on at start)');
    if (open.length > 0) log.warn({ canceled: open.length }, 'kill switch still on: open orders canceled');
  }

  /** Each planned strategy on the node, its symbols fed at the base timeframe. */
  private addStrategies(plan: DeploymentPlan): void {
    const node = this.ctx.node;
    for (const { deployment: d, strategyClass, params } of plan.deployments) {
      for (const s of d.symbols) node.registerFeed(s, plan.baseTimeframe);
      node.addStrategy({
        id: d.id,
        strategyClass,
        params,
        symbols: d.symbols,
        timeframe: d.timeframe,
        sizing: parseSizing(d.sizing, node.instrument(d.symbols[0] as string).lotSize),
      });
    }
  }

  /**
   * Every fill moves the paper account: snapshot it so a restart resumes exactly (the portfolio,
   * not its bare ledger: a perpetual position is saved with the margin mode it is booked under),
   * and feed the daily-loss and drawdown breakers the equity after it.
   */
  private snapshotLedgerOnFills(): void {
    const { node, stores, clock, runId, breaker } = this.ctx;
    node.bus.subscribe(ORDER_EVENTS, (e) => {
      if (e.type !== 'OrderFilled') return;
      stores.ledger.save(runId, clock.now(), node.portfolio);
      breaker.check(clock.now());
    });
    // A liquidation (its venue saved the ledger with its fill line) is a loss the breakers see at once.
    node.bus.subscribe(LIQUIDATION_FILLS, () => breaker.check(clock.now()));
  }

  /** Start/stop and parameters set through the API before the last stop come back first. */
  private restoreStrategyControls(): void {
    const { db, node, config, clock, log, audit } = this.ctx;
    const controls = new StrategyControls(db, node, config.strategies, () => clock.now());
    for (const r of controls.restore()) {
      log[r.outcome === 'restored' ? 'info' : 'warn'](
        { strategyId: r.strategyId, outcome: r.outcome },
        `strategy ${r.strategyId}: ${r.detail}`,
      );
      audit.record('strategy.control_restored', { ...r }, 'system');
    }
  }
}
