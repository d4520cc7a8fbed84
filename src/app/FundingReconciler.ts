import type { ComponentHealth } from '../api/EngineStatus.js';
import type { LiveFunding } from './LiveFunding.js';
import type { LiveLiquidations } from './LiveLiquidations.js';
import type { LiveReconcilerOptions } from './LiveReconciler.js';
import { LiveReconciler } from './LiveReconciler.js';

/**
 * The live reconciler of an account with perpetuals: every pass (startup and periodic) first
 * books the funding payments and the liquidations the exchange made since the last look, so
 * the wallet, positions and our books agree when they are compared — a funding payment is
 * booked as funding and a liquidation as the exchange's trades, never settled as a difference.
 * A failed look fails the pass (retried like any unreachable exchange): comparing while a
 * payment or a liquidation may be missing would take it over as a difference.
 */
export class FundingReconciler extends LiveReconciler {
  constructor(
    opts: LiveReconcilerOptions,
    readonly funding: LiveFunding | undefined,
    readonly liquidations?: LiveLiquidations,
  ) {
    super(opts);
  }

  override async run(reason: 'startup' | 'periodic'): Promise<boolean> {
    await this.funding?.poll();
    await this.liquidations?.poll();
    return super.run(reason);
  }

  override component(): ComponentHealth {
    const base = super.component();
    const parts = [this.funding?.component(), this.liquidations?.component()].filter(
      (c): c is ComponentHealth => c !== undefined,
    );
    return {
      name: base.name,
      ready: base.ready && parts.every((p) => p.ready),
      detail: [base.detail, ...parts.map((p) => p.detail)].join('; '),
    };
  }
}
