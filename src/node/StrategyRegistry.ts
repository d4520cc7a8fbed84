import { QtsError } from '../core/QtsError.js';
import type { SizingSpec } from '../portfolio/Sizer.js';
import type { AnyStrategyClass } from '../strategy/Strategy.js';
import { Strategy } from '../strategy/Strategy.js';
import type { StrategyStateStore } from '../strategy/StrategyContext.js';
import { HeldOrderEvents } from './HeldOrderEvents.js';
import type { ContextHost } from './NodeStrategyContext.js';
import { NodeStrategyContext } from './NodeStrategyContext.js';
import type { StrategyLogSink } from './StrategyLogSink.js';
import type { StrategyFailure, StrategyHook } from './strategyFailed.js';
import { engineFailure, strategyCall, strategyFailed } from './strategyFailed.js';

/** One strategy instance to run: its class, validated params, symbols and primary timeframe. */
export interface StrategyDeployment {
  readonly id: string;
  readonly strategyClass: AnyStrategyClass;
  readonly params: unknown;
  readonly symbols: readonly string[];
  readonly timeframe: string;
  /** This strategy's sizer; the node's default when omitted. */
  readonly sizing?: SizingSpec;
}

/** What the node tells about one strategy instance. */
export interface StrategyInfo extends StrategyDeployment {
  readonly running: boolean;
  /** This instance was fed history before live data (beginWarmUp), running. */
  readonly warmedUp: boolean;
  /** Closed bars of its own timeframe per symbol this instance saw as history (NodeStrategyContext.warmUpBars). */
  readonly warmUpBars: ReadonlyMap<string, number>;
  /** Why this instance was quarantined (a handler threw, see StrategyRegistry.fail); undefined if it was not. */
  readonly failure: StrategyFailure | undefined;
}

/** A strategy instance as the node runs it. */
export interface StrategyEntry {
  strategy: Strategy<unknown>;
  ctx: NodeStrategyContext;
  deployment: StrategyDeployment;
  /** False once stopped by a command: it sees no data and sends no orders until started again. */
  running: boolean;
  /** This instance ran through a warm-up (a strategy started again after it is a fresh, cold one). */
  warmedUp: boolean;
  /** Its order events that arrived before it could act on them (see HeldOrderEvents). */
  held: HeldOrderEvents;
  /** Set when a handler threw and the instance was quarantined (see StrategyRegistry.fail). */
  failure?: StrategyFailure;
}

/** What the registry needs to build strategy instances and hand them what was held for them. */
export interface StrategyRegistryOptions {
  /** The engine every strategy context works through (the TradingNode). */
  readonly host: ContextHost;
  readonly stateStore: (strategyId: string) => StrategyStateStore;
  readonly logSink: StrategyLogSink;
  /**
   * Hands an instance the order events held for it, if it may act on them now (the node's
   * OrderEventRouter.releaseHeld); called when a strategy may have become able to.
   */
  readonly releaseHeld: (entry: StrategyEntry) => void;
  /**
   * What becomes of an instance whose handler throws. Absent (backtests): the named error is
   * thrown and the run ends. Present (shadow, live): the instance is quarantined and this is told.
   */
  readonly onFailure?: ((failure: StrategyFailure) => void) | undefined;
  /**
   * What becomes of an engine failure (a storage error, see `engineFailure`) that escaped
   * through a strategy's handler, with a failure policy: the runtime's EngineFaults, which
   * halts trading. Absent, such an error is treated as the strategy's own.
   */
  readonly onEngineFault?: ((err: unknown, what: string) => void) | undefined;
}

/** Stands in for a stopped strategy: every handler does nothing. */
class InertStrategy extends Strategy<unknown> {}

/**
 * The strategy instances of one node and their lifecycle: added, started and stopped with the
 * node or one by one by command, rebuilt with new parameters, and warmed up on history before
 * live data. Whether the node runs (`isStarted`) and warms up is kept here, as every instance
 * follows it.
 */
export class StrategyRegistry {
  private readonly entries = new Map<string, StrategyEntry>();
  private started = false;
  /** Strategies are being fed history before live data (beginWarmUp … endWarmUp). */
  private warmingUp = false;

  constructor(private readonly opts: StrategyRegistryOptions) {}

  /** Whether the node runs: strategies started (onStart) and not stopped since. */
  get isStarted(): boolean {
    return this.started;
  }

  /** Whether strategies are being warmed up on history. */
  get isWarmingUp(): boolean {
    return this.warmingUp;
  }

  /** The instance now running (or stopped) under `id`. */
  get(id: string): StrategyEntry | undefined {
    return this.entries.get(id);
  }

  /** Every instance, running or stopped, in the order added. */
  values(): IterableIterator<StrategyEntry> {
    return this.entries.values();
  }

  /** The ids of the instances, in the order added. */
  strategyIds(): string[] {
    return [...this.entries.keys()];
  }

  /** The strategy instances, with their deployment and whether they run. */
  strategyInfos(): StrategyInfo[] {
    return [...this.entries.values()].map((e) => ({
      ...e.deployment,
      running: e.running,
      warmedUp: e.warmedUp && e.running,
      warmUpBars: e.ctx.warmUpBars,
      failure: e.failure,
    }));
  }

  /** Adds a strategy instance; it starts with the node (or at once if the node runs). */
  addStrategy(d: StrategyDeployment): void {
    if (this.entries.has(d.id))
      throw new QtsError('ERR_DUPLICATE_STRATEGY', `strategy id ${d.id} already added`);
    for (const s of d.symbols) this.opts.host.instrument(s);
    const entry = this.instantiate(d);
    this.entries.set(d.id, entry);
    if (this.started) this.startOne(entry, true);
  }

  /** A fresh instance of a deployment: new context (its state store reads the same saved state). */
  private instantiate(d: StrategyDeployment): StrategyEntry {
    const host = this.opts.host;
    // The context reports its handlers' exceptions against this very instance, never a later
    // one started under the same id.
    const built: { entry?: StrategyEntry } = {};
    const ctx = new NodeStrategyContext(
      host,
      d.id,
      d.symbols,
      d.timeframe,
      this.opts.stateStore(d.id),
      this.opts.logSink,
      (hook, symbol, ts, err) => {
        if (built.entry === undefined) throw strategyFailed(d.id, hook, symbol, ts, err);
        this.fail(built.entry, hook, symbol, ts, err);
      },
      d.sizing ?? host.sizing,
    );
    const Ctor = d.strategyClass as unknown as new (c: NodeStrategyContext, p: unknown) => Strategy<unknown>;
    const strategy = new Ctor(ctx, d.params);
    ctx.bind(strategy);
    // Started (through the API) while the others warm up: it warms up with them.
    if (this.warmingUp) ctx.beginWarmUp();
    const entry: StrategyEntry = {
      strategy,
      ctx,
      deployment: d,
      running: true,
      warmedUp: this.warmingUp,
      held: new HeldOrderEvents(),
    };
    built.entry = entry;
    return entry;
  }

  /**
   * A handler of instance `e` threw `err` (named by `strategyFailed`). Without a failure policy
   * (backtests) the error is thrown and ends the run. With one (shadow, live) the instance is
   * quarantined — disconnected from data and timers as on a stop, but without onStop (its code
   * is not trusted to run again), its held order events dropped, its order verbs refused
   * (ERR_STRATEGY_QUARANTINED) — and the policy is told once; the engine and the other
   * instances go on. Its open orders and positions stay, so a protective stop keeps protecting.
   * Every call site catches right around the strategy's own call, after the engine applied the
   * event (fill booked, order state moved): quarantining leaves nothing half-done, and the
   * bus's later subscribers (venue emulation of stops and brackets, journal, metrics) still
   * see the event. Later exceptions of an instance already quarantined are its handler
   * unwinding (a refused verb) and are dropped. `command`: an operator's start, whose caller
   * is answered with the error too.
   *
   * An engine failure that escaped through the handler (a storage error, `engineFailure`: the
   * journal could not write the order the strategy sent) is not the strategy's: with a failure
   * policy it goes to `onEngineFault` (trading HALTED) and the instance is not quarantined.
   * Nothing unjournaled went out: the OMS writes an order's event before the venue sees it.
   */
  fail(
    e: StrategyEntry,
    hook: StrategyHook,
    symbol: string | undefined,
    ts: number,
    err: unknown,
    command = false,
  ): void {
    const error = strategyFailed(e.deployment.id, hook, symbol, ts, err);
    const report = this.opts.onFailure;
    if (report === undefined) throw error;
    const onEngineFault = this.opts.onEngineFault;
    const engine = onEngineFault === undefined ? undefined : engineFailure(err);
    if (onEngineFault !== undefined && engine !== undefined) {
      // The engine's own books failed under the strategy's call (an order the journal could not
      // write on a full disk): no fault of the strategy's, and no engine to trade on. Trading
      // halts (EngineFaults) and the instance keeps running, its orders denied while halted.
      onEngineFault(engine, strategyCall(e.deployment.id, hook, symbol, ts));
      if (command) throw error;
      return;
    }
    if (e.failure === undefined) {
      const failure: StrategyFailure = { strategyId: e.deployment.id, hook, symbol, ts, error };
      e.ctx.quarantine(new InertStrategy(e.ctx, {}), failure);
      e.running = false;
      e.held = new HeldOrderEvents();
      e.failure = failure;
      report(failure);
    }
    if (command) throw error;
  }

  /** Tells an instance it starts (`command`: by an operator, see `fail`). */
  private startOne(e: StrategyEntry, command = false): void {
    try {
      e.strategy.onStart();
    } catch (err) {
      this.fail(e, 'onStart', undefined, this.opts.host.clock.now(), err, command);
    }
  }

  /** Tells an instance it stops; an exception quarantines it at once (see `fail`). */
  private stopOne(e: StrategyEntry): void {
    try {
      e.strategy.onStop();
    } catch (err) {
      this.fail(e, 'onStop', undefined, this.opts.host.clock.now(), err);
    }
  }

  private entry(id: string): StrategyEntry {
    const e = this.entries.get(id);
    if (!e) throw new QtsError('ERR_STRATEGY_NOT_FOUND', `no strategy instance "${id}" in this engine`);
    return e;
  }

  /**
   * Stops one strategy: it is told (onStop) and disconnected from data and timers. Its open
   * orders and positions stay; cancel or close them through the OMS if wanted. Order events
   * held for it (see OrderEventRouter) are dropped: a stopped strategy acts on nothing, and the
   * ledger and journal booked them when they arrived.
   */
  stopStrategy(id: string): void {
    const e = this.entry(id);
    if (!e.running) return;
    if (this.started) this.stopOne(e);
    e.ctx.detach(new InertStrategy(e.ctx, {}));
    e.running = false;
    e.held = new HeldOrderEvents();
  }

  /**
   * Starts a stopped strategy as a fresh instance (its indicators warm up again from the
   * next bars; its saved state is kept).
   */
  startStrategy(id: string): void {
    const e = this.entry(id);
    if (e.running) return;
    const fresh = this.instantiate(e.deployment);
    this.entries.set(id, fresh);
    if (this.started) this.startOne(fresh, true);
  }

  /**
   * Replaces a strategy's parameters (already validated by its schema): the instance is
   * rebuilt with them, and restarted if it was running. The rebuilt instance is the same
   * strategy with the same saved state: order events held for the old one are its now (the
   * saved parameters restored at start rebuild instances before any of them started).
   */
  updateStrategyParams(id: string, params: unknown): void {
    const e = this.entry(id);
    const wasRunning = e.running;
    const held = e.held;
    this.stopStrategy(id);
    const d = { ...e.deployment, params };
    if (!wasRunning) {
      this.entries.set(id, { ...e, deployment: d });
      return;
    }
    const fresh = this.instantiate(d);
    fresh.held = held;
    this.entries.set(id, fresh);
    if (this.started) this.startOne(fresh, true);
    this.opts.releaseHeld(fresh);
  }

  /**
   * Strategies start (onStart). Order events that arrived for them before are handed over once
   * they may act on them: after their warm-up, at the first live data of their symbols (see
   * OrderEventRouter.releaseHeld).
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const e of this.entries.values()) if (e.running) this.startOne(e);
    for (const e of this.entries.values()) this.opts.releaseHeld(e);
  }

  stop(): void {
    if (!this.started) return;
    for (const e of this.entries.values()) if (e.running) this.stopOne(e);
    this.started = false;
  }

  /**
   * Warm-up begins (before `start`, so timers strategies set in onStart wait too): every
   * strategy, and any started until `endWarmUp`, refuses its own orders with ERR_WARMING_UP
   * and keeps its state writes in memory (NodeStrategyContext.beginWarmUp).
   */
  beginWarmUp(): void {
    this.warmingUp = true;
    for (const e of this.entries.values()) {
      e.ctx.beginWarmUp();
      // A strategy stopped (by a command before the last stop) sees no history.
      e.warmedUp = e.running;
    }
  }

  /**
   * Warm-up is over: strategies send orders again from now on. The order events held for each
   * since before it started or during its warm-up are handed over, in arrival order, after its
   * last history bar and before it sees the first live price of its symbols
   * (OrderEventRouter.releaseHeld), so what it sends in reaction goes out. A node stopped
   * meanwhile hands nothing over.
   */
  endWarmUp(): void {
    if (!this.warmingUp) return;
    this.warmingUp = false;
    for (const { ctx } of this.entries.values()) ctx.endWarmUp();
    for (const e of this.entries.values()) this.opts.releaseHeld(e);
  }
}
