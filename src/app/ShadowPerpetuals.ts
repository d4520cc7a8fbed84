import type { ComponentHealth } from '../api/EngineStatus.js';
import type { AppConfig, PerpetualSettingsConfig } from '../config/configSchema.js';
import { formatFixed } from '../core/Fixed.js';
import { QtsError } from '../core/QtsError.js';
import type { Millis } from '../core/time.js';
import type { ClearingEvent } from '../model/futuresEvents.js';
import type { Instrument } from '../model/Instrument.js';
import type { MarginMode } from '../model/MarginMode.js';
import { marginModeOf } from '../model/MarginMode.js';
import type { TradingNode } from '../node/TradingNode.js';
import type { PerpetualClearingOptions } from '../sim/PerpetualClearing.js';
import { FundingStore } from '../storage/sqlite/FundingStore.js';
import { LiquidationBooking } from './LiquidationBooking.js';
import { ShadowFunding } from './ShadowFunding.js';
import type { MarketDataChoice } from './selectMarketData.js';
import type { VenueContext } from './VenueContext.js';

/**
 * What the shadow perpetuals are built from: the parts of a shadow venue's context it reads
 * (of the market, only its instruments, exchange and source).
 */
export type ShadowPerpetualsContext = Pick<
  VenueContext,
  'config' | 'node' | 'audit' | 'log' | 'now' | 'saveLedger' | 'db' | 'runId'
> & {
  readonly market: Pick<MarketDataChoice, 'instruments' | 'exchange' | 'source'>;
  /** Tests: first wait before asking again for a funding settlement not yet published. */
  readonly fundingRetryMs?: number;
};

/** The leverage and margin mode shadow mode trades with: `shadow.perpetuals`, else live's. */
export function shadowPerpetualSettings(
  config: AppConfig,
): Readonly<Record<string, PerpetualSettingsConfig>> {
  return config.shadow.perpetuals ?? config.live.perpetuals;
}

/**
 * The perpetual side of shadow mode, as a live account would meet it: each traded perpetual's
 * leverage and margin mode on the node's margin account (before any order is restored or
 * submitted), the clearing's histories for the simulated venue (mark = the traded price, and
 * the exchange's settled funding with the mark it was valued at: ShadowFunding), and every
 * clearing event booked through the node (ledger, `onFunding` / `onLiquidation`), saved with
 * the ledger at once and audit-logged. A liquidation is also a fill line of the fills store,
 * as in a backtest's trade log (order id `LIQUIDATION`), told on LIQUIDATION_FILLS — booked as
 * live mode books the exchange's (LiquidationBooking).
 */
export class ShadowPerpetuals {
  readonly funding: ShadowFunding | undefined;
  private readonly store: FundingStore | undefined;
  private readonly liquidations: LiquidationBooking;

  constructor(private readonly ctx: ShadowPerpetualsContext) {
    this.liquidations = new LiquidationBooking(ctx, 'shadow');
    const perps = ctx.market.instruments.filter((i) => i.kind === 'PERPETUAL');
    configureShadowMargin(ctx.node, perps, shadowPerpetualSettings(ctx.config), (a) =>
      ctx.audit.record('perpetual.settings', { ...a, venue: 'shadow' }, 'system'),
    );
    const ex = ctx.market.exchange;
    if (ex === undefined || ctx.market.source !== 'exchange') {
      ctx.log.warn(
        { source: ctx.market.source },
        'shadow perpetuals without exchange market data: no funding is charged (liquidation and margin still apply)',
      );
      return;
    }
    if (ex.has['fetchFundingRateHistory'] !== true) {
      ctx.log.warn(
        { exchange: ex.id },
        'settled funding rates cannot be read on this exchange: no funding is charged',
      );
      return;
    }
    // Its own cursors: a live engine on the same database keeps the exchange's payments apart.
    this.store = new FundingStore(ctx.db, `shadow:${ex.id}`);
    this.funding = new ShadowFunding({
      exchange: ex,
      node: ctx.node,
      instruments: perps,
      store: this.store,
      log: ctx.log,
      book: (e) => this.onClearing(e),
      ...(ctx.fundingRetryMs === undefined ? {} : { retryMs: ctx.fundingRetryMs }),
    });
  }

  /** The simulated venue's margin view and clearing (funding and marks appended as published). */
  venueOptions(): { margin: TradingNode['portfolio']['margin']; clearing: PerpetualClearingOptions } {
    const margin = this.ctx.node.portfolio.margin;
    return {
      margin,
      clearing: {
        account: margin,
        ...(this.funding === undefined ? {} : { funding: this.funding.funding, marks: this.funding.marks }),
      },
    };
  }

  /** Market time of `symbol` reached `ts`: funding due by then is asked for. */
  observe(symbol: string, ts: Millis): void {
    this.funding?.observe(symbol, ts);
  }

  /**
   * A clearing event: booked through the node, then kept (ledger snapshot, funding cursor) in
   * one transaction. A liquidation goes the way of every liquidation a running engine books
   * (LiquidationBooking): a fill line of order `LIQUIDATION` whose trade id is the symbol and
   * market time, unique across restarts on one database.
   */
  onClearing(e: ClearingEvent): void {
    if (e.type === 'PositionLiquidated') {
      this.liquidations.book(e, () => `LIQ-${e.symbol}-${e.ts}`);
      return;
    }
    const { node, db, saveLedger, runId, audit, log, now } = this.ctx;
    node.onClearing(e);
    if (e.type === 'MarkPriceUpdated') return;
    db.transaction(() => {
      this.store?.record(
        runId,
        {
          id: `${e.symbol}@${e.ts}`,
          symbol: e.symbol,
          ts: e.ts,
          amount: e.amount,
          currency: e.currency,
          rate: e.rate,
          booked: true,
        },
        now(),
      );
      saveLedger();
    })();
    if (e.amount === 0n) return;
    const data = {
      symbol: e.symbol,
      ts: e.ts,
      amount: formatFixed(e.amount),
      rate: formatFixed(e.rate),
      markPrice: formatFixed(e.markPrice),
      positionQty: formatFixed(e.positionQty),
    };
    audit.record('funding.settled', { ...data, venue: 'shadow' }, 'system');
    log.info(data, `shadow funding ${e.amount < 0n ? 'paid' : 'received'} on ${e.symbol}`);
  }

  /** Before strategies run: funding settled while the engine was down, and the next funding time. */
  async prepare(): Promise<void> {
    await this.funding?.start();
  }

  components(): ComponentHealth[] {
    return this.funding === undefined ? [] : [this.funding.component()];
  }

  stop(): void {
    this.funding?.stop();
  }
}

/** What was set for one perpetual, as the audit trail records it. */
export interface ShadowMarginApplied {
  readonly symbol: string;
  readonly leverage: number;
  readonly mode: MarginMode;
}

/**
 * Sets each traded perpetual's leverage and margin mode on the node's margin account, as live
 * mode does after setting them on the exchange: a symbol configured but not traded as a
 * perpetual is refused (ERR_CONFIG), a leverage above the instrument's maximum too
 * (ERR_PERPETUAL_SETTINGS_REFUSED, naming the symbol, as the exchange would). A position
 * restored from the database keeps the margin mode it is booked under until it is flat.
 */
export function configureShadowMargin(
  node: TradingNode,
  perps: readonly Instrument[],
  wanted: Readonly<Record<string, PerpetualSettingsConfig>>,
  applied: (a: ShadowMarginApplied) => void,
): void {
  for (const symbol of Object.keys(wanted))
    if (!perps.some((p) => p.symbol === symbol))
      throw new QtsError(
        'ERR_CONFIG',
        `perpetual settings name ${symbol}, which no enabled strategy trades as a perpetual`,
        { symbol },
      );
  const margin = node.portfolio.margin;
  for (const inst of perps) {
    const s = wanted[inst.symbol] ?? { leverage: 1, marginMode: 'isolated' };
    if (s.leverage > inst.maxLeverage)
      throw new QtsError(
        'ERR_PERPETUAL_SETTINGS_REFUSED',
        `${inst.symbol}: leverage ${s.leverage} is above the exchange's maximum ${inst.maxLeverage}`,
        { symbol: inst.symbol },
      );
    const wantedMode = marginModeOf(s.marginMode);
    const mode = margin.positionQty(inst.symbol) === 0n ? wantedMode : margin.settings(inst.symbol).mode;
    margin.configure(inst.symbol, { leverage: s.leverage, mode });
    applied({ symbol: inst.symbol, leverage: s.leverage, mode });
  }
}
