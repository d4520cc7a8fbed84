import type { Exchange } from 'ccxt';
import type { Logger } from 'pino';
import type { ComponentHealth } from '../api/EngineStatus.js';
import type { Fixed } from '../core/Fixed.js';
import { ZERO, formatFixed, sub, toFixed } from '../core/Fixed.js';
import type { CcxtExecutionClient } from '../exchanges/ccxt/CcxtExecutionClient.js';
import type { ClientIdCodec } from '../exchanges/ccxt/clientIdQuirks.js';
import { fetchAccountView } from '../exchanges/ccxt/fetchAccountView.js';
import type { ExchangeAccountView } from '../exchanges/ccxt/fetchAccountView.js';
import type { RequestGate } from '../exchanges/ccxt/RequestGate.js';
import { setMarginMode } from '../exchanges/ccxt/applyPerpetualSettings.js';
import { capabilitiesOf, isOurClientId } from '../exchanges/ccxt/executionCapabilities.js';
import { QtsError } from '../core/QtsError.js';
import type { AccountDifference, AccountView } from '../execution/reconcileAccount.js';
import { isolatedMarginsAgree, reconcileAccount } from '../execution/reconcileAccount.js';
import type { AuditSink } from '../monitor/AuditSink.js';
import type { TradingNode } from '../node/TradingNode.js';
import { LIQUIDATION_FILLS, ORDER_EVENTS } from '../kernel/topics.js';
import { crashPoint } from '../execution/crashPoint.js';
import type { MarginModeName } from '../model/MarginMode.js';
import { marginModeOf } from '../model/MarginMode.js';
import { OrphanOrders } from './OrphanOrders.js';
import { positionCorrection } from './positionCorrection.js';
import { marginModeAction } from './marginModeAction.js';

/** What the reconciler works with. */
export interface LiveReconcilerOptions {
  readonly exchange: Exchange;
  readonly gate: RequestGate;
  readonly client: CcxtExecutionClient;
  readonly node: TradingNode;
  readonly symbols: readonly string[];
  readonly clientIdPrefix: string;
  readonly audit: AuditSink;
  readonly log: Logger;
  readonly now: () => number;
  /** Persists the ledger after the exchange's figures replaced ours. */
  readonly saveLedger: () => void;
  /** Open orders the engine holds itself (emulated contingent orders): never on the exchange. */
  readonly heldLocally?: (orderId: string) => boolean;
  /**
   * The margin mode configured for each traded perpetual (live.perpetuals, else the default):
   * what the start set on the exchange, compared with the mode of each open position there.
   */
  readonly marginModes?: ReadonlyMap<string, MarginModeName>;
}

/**
 * Startup and periodic reconciliation of the live account: open orders, fills, balances,
 * positions, the margin behind isolated positions and the margin mode of open perpetual positions
 * compared with ours; every difference audit-logged, then settled with the
 * exchange's figures (the exchange holds the money; our books follow it).
 *
 * Fills still on their way make a transient difference (the exchange booked a trade our
 * REST sync has not fetched yet). So each pass first syncs every order the client manages,
 * and a difference counts only if a second sync and look confirm it: otherwise "correcting"
 * the ledger and then booking the late fill would count it twice.
 */
export class LiveReconciler {
  private ready = false;
  private detail = 'not run yet';
  /** Completed passes and differences settled since start. */
  runs = 0;
  settled = 0;

  /**
   * Perpetuals whose margin mode our books took from the exchange (a margin-mode difference):
   * once flat, the configured mode is set on the exchange again and our books follow it.
   */
  private readonly modeAdopted = new Set<string>();

  /** Order events seen: a pass during which this moves compared two different moments. */
  private activity = 0;

  /** How the exchange carries our client ids (the execution client's codec, by exchange id). */
  private readonly clientIds: ClientIdCodec;

  /** Orders of ours the journal does not know: canceled, their trades booked. */
  private readonly orphans: OrphanOrders;

  constructor(private readonly opts: LiveReconcilerOptions) {
    const caps = capabilitiesOf(opts.exchange.id);
    if (caps === undefined)
      throw new QtsError('ERR_EXCHANGE_NOT_SUPPORTED', `live trading does not support ${opts.exchange.id}`);
    this.clientIds = caps.clientIds;
    this.orphans = new OrphanOrders(opts);
    opts.node.bus.subscribe(ORDER_EVENTS, () => {
      this.activity += 1;
    });
    // A liquidation booked while a pass looks (the private stream's nudge) moves our books too.
    opts.node.bus.subscribe(LIQUIDATION_FILLS, () => {
      this.activity += 1;
    });
  }

  /** True once the last pass left no difference. */
  isReady(): boolean {
    return this.ready;
  }

  component(): ComponentHealth {
    return { name: 'reconciliation', ready: this.ready, detail: this.detail };
  }

  /** One pass; returns whether the account now agrees with the exchange. */
  async run(reason: 'startup' | 'periodic'): Promise<boolean> {
    const o = this.opts;
    await this.restoreMarginModes(reason);
    let diffs = await this.quietCompare();
    if (diffs === undefined) {
      // Orders kept moving during every look: nothing can be concluded, nothing is settled.
      this.detail = `inconclusive (${reason}): orders moved during the comparison; retried next period`;
      return this.ready;
    }
    if (diffs.length > 0) diffs = (await this.quietCompare()) ?? diffs;
    this.runs += 1;
    if (diffs.length === 0) {
      this.ready = true;
      this.detail = `in agreement with ${o.exchange.id} (${reason}, pass ${this.runs})`;
      return true;
    }
    this.ready = false;
    this.record(diffs, reason);
    await this.settle(diffs, reason);
    const left = (await this.quietCompare()) ?? diffs;
    this.ready = left.length === 0;
    const modes = left.filter((d) => d.kind === 'margin-mode');
    this.detail = this.ready
      ? `${diffs.length} difference(s) settled, exchange wins (${reason})`
      : `${left.length} difference(s) unresolved: ${left.map((d) => `${d.kind} ${d.key}`).join(', ')}${modes.map((d) => `; ${marginModeAction(d)}`).join('')}`;
    o.audit.record(
      'reconciliation.result',
      { reason, found: diffs.length, unresolved: left.length },
      'system',
    );
    return this.ready;
  }

  /** Audit-logs and logs differences found (`after`: found again once something else was settled). */
  private record(diffs: readonly AccountDifference[], reason: string, after?: string): void {
    for (const d of diffs) {
      const action = d.kind === 'margin-mode' ? marginModeAction(d) : undefined;
      const extra = {
        ...(action === undefined ? {} : { action }),
        ...(after === undefined ? {} : { after }),
      };
      this.opts.audit.record('reconciliation.difference', { reason, ...d, ...extra }, 'system');
      this.opts.log.warn(
        { difference: d, reason },
        `reconciliation: ${d.kind} ${d.key}${after === undefined ? '' : ` after ${after}`}: ours ${d.local}, exchange ${d.exchange}${action === undefined ? '' : `: ${action}`}`,
      );
    }
  }

  /**
   * A comparison during which no order event happened (up to 3 tries), so both sides
   * describe the same moment; undefined if orders kept moving.
   */
  private async quietCompare(): Promise<AccountDifference[] | undefined> {
    for (let i = 0; i < 3; i++) {
      const before = this.activity;
      const diffs = await this.compare();
      if (this.activity === before && this.opts.client.inFlight() === 0) return diffs;
    }
    return undefined;
  }

  private async compare(): Promise<AccountDifference[]> {
    const o = this.opts;
    await o.client.sync();
    const instruments = o.symbols.map((s) => o.node.instrument(s));
    const exchange = await fetchAccountView(o.exchange, o.gate, instruments, this.clientIds);
    // Ours read after the exchange's look; quietCompare retries if an order moved in between.
    const local = this.localView();
    this.lastExchange = exchange;
    return reconcileAccount(local, exchange, {
      // Only ids our generator makes: anyone else's order on the account, even one named with our
      // prefix ("qtsmanual"), is never canceled as an orphan nor booked.
      isOurs: (clientOrderId) => isOurClientId(o.clientIdPrefix, clientOrderId),
      currencies: [o.node.portfolio.currency],
      symbols: o.symbols,
    });
  }

  private lastExchange: ExchangeAccountView | undefined;

  private localView(): AccountView {
    const { node, client, symbols } = this.opts;
    const openOrders = new Map<string, { symbol: string }>();
    for (const ord of node.oms.openOrders())
      if (this.opts.heldLocally?.(ord.id) !== true)
        openOrders.set(client.clientIdOf(ord.id), { symbol: ord.symbol });
    const currency = node.portfolio.currency;
    const balances = new Map<string, Fixed>([[currency, node.portfolio.cash(currency)]]);
    const positions = new Map<string, Fixed>(symbols.map((s) => [s, node.portfolio.positionQty(s)]));
    // Open isolated perpetual positions only (undefined for cross, spot and flat).
    const isolatedMargins = new Map<string, Fixed>();
    for (const s of symbols) {
      const m = node.portfolio.isolatedMarginOf(s);
      if (m !== undefined) isolatedMargins.set(s, m);
    }
    // The configured mode, not our books' (which follow the exchange's once it differs, below).
    const marginModes = this.opts.marginModes ?? new Map<string, MarginModeName>();
    return { openOrders, balances, positions, isolatedMargins, marginModes };
  }

  /**
   * Exchange wins: our orders it does not know end (their trades booked as trades, see
   * OrphanOrders), positions, isolated margins and cash take its figures.
   */
  private async settle(found: readonly AccountDifference[], reason: string): Promise<void> {
    const o = this.opts;
    let ex = this.lastExchange;
    if (ex === undefined) return;
    crashPoint('mid-reconciliation');
    const orphans = await this.orphans.settle(
      found.filter((d) => d.kind === 'order-only-exchange'),
      ex,
    );
    this.settled += orphans.ended;
    // order-only-local: of unknown outcome (the client's sync asked), unresolved until the bound.
    // An orphan still open may fill more, its trades unbooked: position and cash wait for the
    // pass that ends it (correcting them now would count its fills again when booked).
    if (orphans.open > 0) return;
    let diffs = found;
    if (orphans.booked > 0) {
      // What the orphans' trades explain is no difference any more; only the rest is settled.
      const again = await this.quietCompare();
      if (again === undefined || this.lastExchange === undefined) return;
      diffs = again;
      ex = this.lastExchange;
      this.record(diffs, reason, 'orphan-trades');
    }
    for (const d of diffs) {
      if (d.kind !== 'position') continue;
      // Before market data flows (startup) the exchange's last price values the adjustment.
      const price =
        o.node.lastPrice(d.key) ??
        (await o.gate.run(() => o.exchange.fetchTicker(d.key)).then((t) => t.last ?? undefined));
      if (price === undefined) continue;
      const target = ex.positions.get(d.key) ?? ZERO;
      const delta = sub(target, o.node.portfolio.positionQty(d.key));
      if (delta === ZERO) continue;
      o.node.portfolio.applyFill(
        positionCorrection(d.key, delta, toFixed(price), o.now(), o.node.portfolio.currency),
      );
      this.settled += 1;
    }
    this.adoptMarginModes(diffs, ex);
    this.adoptIsolatedMargins(diffs, ex, reason);
    const currency = o.node.portfolio.currency;
    const target = ex.balances.get(currency) ?? ZERO;
    const cash = o.node.portfolio.cash(currency);
    if (target !== cash) {
      o.node.portfolio.adjustCash(currency, sub(target, cash));
      this.settled += 1;
    }
    o.saveLedger();
  }

  /**
   * A margin-mode difference cannot be settled on the exchange: Binance refuses a margin-type
   * change while the position is open (-4048). Our books take the exchange's mode meanwhile
   * (exchange wins, as for every figure): the mode decides the position's liquidation price
   * (isolated: its own margin; cross: the whole cross wallet), the margin carved out of the
   * wallet and what new orders may use. Keeping ours would show a liquidation price the
   * exchange does not use, too far away when the exchange margins isolated what we hold cross.
   * The difference itself (configured vs exchange) stays unresolved, and reconciliation not
   * ready, until the position is flat and the configured mode is set again (restoreMarginModes)
   * or the configuration names the exchange's mode.
   */
  private adoptMarginModes(diffs: readonly AccountDifference[], ex: AccountView): void {
    const margin = this.opts.node.portfolio.margin;
    for (const d of diffs) {
      if (d.kind !== 'margin-mode') continue;
      const mode = ex.marginModes?.get(d.key);
      if (mode === undefined) continue;
      const booked = marginModeOf(mode);
      this.modeAdopted.add(d.key);
      if (margin.settings(d.key).mode === booked) continue;
      margin.adoptMarginMode(d.key, booked, ex.isolatedMargins?.get(d.key));
      this.opts.log.warn(
        { symbol: d.key, mode },
        `reconciliation: ${d.key} booked ${mode} as the exchange margins it, until the configured ${d.local} is set again`,
      );
    }
  }

  /**
   * Perpetuals booked under the exchange's mode (adoptMarginModes) whose position is flat in
   * our books: the configured mode is set on the exchange again (allowed while flat; refused
   * with a position or open orders there, then tried at the next pass) and our books follow.
   */
  private async restoreMarginModes(reason: string): Promise<void> {
    const o = this.opts;
    const margin = o.node.portfolio.margin;
    for (const symbol of [...this.modeAdopted]) {
      const wanted = o.marginModes?.get(symbol);
      if (wanted === undefined || margin.positionQty(symbol) !== ZERO) continue;
      try {
        await setMarginMode(o.exchange, o.gate, wanted, symbol);
      } catch (e) {
        o.log.warn(
          { err: e, symbol },
          `reconciliation: setting ${wanted} margin on ${symbol} again failed; retried next pass`,
        );
        continue;
      }
      // Not configure: a position the exchange opened since (under the mode just set) is no reason to throw.
      margin.adoptMarginMode(symbol, marginModeOf(wanted));
      this.modeAdopted.delete(symbol);
      o.audit.record('perpetual.settings', { symbol, marginMode: wanted, reason, restored: true }, 'system');
      o.log.info(
        { symbol, mode: wanted },
        `reconciliation: ${symbol} flat, configured ${wanted} margin set again`,
      );
    }
  }

  /**
   * The exchange's isolated margin becomes ours (the liquidation price we derive follows): for
   * each isolated-margin difference, and for a position just adopted above, whose margin our
   * reconciling fill computed — a difference found then is audited here, as the pass's were.
   */
  private adoptIsolatedMargins(diffs: readonly AccountDifference[], ex: AccountView, reason: string): void {
    const o = this.opts;
    const portfolio = o.node.portfolio;
    for (const d of diffs) {
      if (d.kind !== 'isolated-margin' && d.kind !== 'position') continue;
      const target = ex.isolatedMargins?.get(d.key);
      const ours = portfolio.isolatedMarginOf(d.key);
      if (target === undefined || ours === undefined || isolatedMarginsAgree(ours, target)) continue;
      if (d.kind === 'position') {
        const found: AccountDifference = {
          kind: 'isolated-margin',
          key: d.key,
          local: formatFixed(ours),
          exchange: formatFixed(target),
        };
        o.audit.record('reconciliation.difference', { reason, ...found, after: 'position' }, 'system');
        o.log.warn(
          { difference: found, reason },
          `reconciliation: isolated-margin ${d.key} after the position's: ours ${found.local}, exchange ${found.exchange}`,
        );
      }
      portfolio.margin.adoptIsolatedMargin(d.key, target);
      this.settled += 1;
    }
  }
}
