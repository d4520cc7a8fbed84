import type { ComponentHealth } from '../api/EngineStatus.js';
import type { LiveFunding } from './LiveFunding.js';
import type { LiveReconcilerOptions } from './LiveReconciler.js';
import { LiveReconciler } from './LiveReconciler.js';

/**
 * The live reconciler of an account with perpetuals: every pass (startup and periodic) first
 * books the funding payments the exchange made since the last look, so the wallet and our cash
 * agree when they are compared — a funding payment is booked as funding, never settled as a
 * cash difference. A failed look fails the pass (retried like any unreachable exchange):
 * comparing while a payment may be missing would take it over as a difference.
 */
export class FundingReconciler extends LiveReconciler {
  constructor(
    opts: LiveReconcilerOptions,
    readonly funding: LiveFunding,
  ) {
    super(opts);
  }

  override async run(reason: 'startup' | 'periodic'): Promise<boolean> {
    await this.funding.poll();
    return super.run(reason);
  }

  override component(): ComponentHealth {
    const base = super.component();
    const f = this.funding.component();
    return { name: base.name, ready: base.ready && f.ready, detail: `${base.detail}; ${f.detail}` };
  }
}
