import { RollingWindow } from './RollingWindow.js';
import { correlation } from './statistics.js';

/** Settings of a SignalWeights. */
export interface SignalWeightsOptions {
  /** Bars of virtual returns each member is judged on. */
  readonly window: number;
  /** Raw weight = max(0, 1 + sensitivity × Σ virtual returns of the window). */
  readonly sensitivity: number;
  /** Weight divided by 1 + penalty × mean positive correlation with the other members. */
  readonly correlationPenalty: number;
  /** A member whose virtual equity falls this far (0.05 = 5%) below its peak is switched off… */
  readonly maxDrawdown: number;
  /** …for this many bars, then starts again from a fresh peak. */
  readonly cooldown: number;
}

interface Member {
  readonly returns: RollingWindow;
  equity: number;
  peak: number;
  /** Bars left switched off by the circuit breaker (0 = active). */
  off: number;
  /** Exposure (0…1) the member wanted on the previous bar: what earns this bar's return. */
  last: number;
}

/**
 * Weights of the members of a meta-strategy, updated bar by bar from how each member's
 * own signal would have done (its virtual return: last bar's exposure × this bar's price
 * return). Three forces: performance (a member that made money recently weighs more, one
 * that lost weighs less, down to zero), diversity (members that move together share
 * their weight through the correlation penalty, so three copies of one idea do not
 * outvote a fourth) and a per-member circuit breaker (a member in a drawdown beyond
 * `maxDrawdown` is silenced for `cooldown` bars).
 */
export class SignalWeights {
  private readonly members: Member[];

  constructor(
    readonly size: number,
    private readonly opts: SignalWeightsOptions,
  ) {
    this.members = Array.from({ length: size }, () => ({
      returns: new RollingWindow(opts.window),
      equity: 1,
      peak: 1,
      off: 0,
      last: 0,
    }));
  }

  /**
   * Books one bar: `priceReturn` is close/previous close − 1 of the traded market and
   * `exposures` what each member wants from now on (0…1). Returns the combined exposure
   * Σ wᵢ·xᵢ / Σ wᵢ (0 when every weight is zero).
   */
  update(priceReturn: number, exposures: readonly number[]): number {
    for (const m of this.members) {
      const r = m.last * priceReturn;
      m.returns.push(r);
      m.equity *= 1 + r;
      if (m.off > 0) {
        m.off -= 1;
        if (m.off === 0) m.peak = m.equity;
      } else {
        m.peak = Math.max(m.peak, m.equity);
        if (m.equity < m.peak * (1 - this.opts.maxDrawdown)) m.off = this.opts.cooldown;
      }
    }
    this.members.forEach((m, i) => (m.last = exposures[i] ?? 0));
    const w = this.weights();
    let sw = 0;
    let sx = 0;
    w.forEach((wi, i) => {
      sw += wi;
      sx += wi * (exposures[i] ?? 0);
    });
    return sw > 0 ? sx / sw : 0;
  }

  /** Current weights (not normalized); zero for a member the breaker switched off. */
  weights(): number[] {
    const rets = this.members.map((m) => m.returns.values());
    return this.members.map((m, i) => {
      if (m.off > 0) return 0;
      let sum = 0;
      for (const r of rets[i] as Float64Array) sum += r;
      const raw = Math.max(0, 1 + this.opts.sensitivity * sum);
      let corr = 0;
      let others = 0;
      rets.forEach((rj, j) => {
        if (j === i) return;
        const c = correlation(rets[i] as Float64Array, rj);
        corr += Number.isNaN(c) ? 0 : Math.max(0, c);
        others += 1;
      });
      return raw / (1 + this.opts.correlationPenalty * (others > 0 ? corr / others : 0));
    });
  }

  /** Whether member i is switched off by its circuit breaker. */
  isOff(i: number): boolean {
    return (this.members[i]?.off ?? 0) > 0;
  }
}
