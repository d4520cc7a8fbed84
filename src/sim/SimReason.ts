/**
 * Codes the simulated venue puts on rejections (`OrderRejected.code`) and cancels
 * (`OrderCanceled.reason`). They are stable strings so the OMS, the audit log and tests can
 * branch on them; the `ERR_` ones mirror refusals a real exchange would send.
 */
export const SimReason = {
  /** The request cannot be an order (missing price, quantity ≤ 0, trailing pct outside (0, 1), …). */
  INVALID_ORDER: 'ERR_INVALID_ORDER',
  /** The symbol is not listed on this venue. */
  UNKNOWN_INSTRUMENT: 'ERR_UNKNOWN_INSTRUMENT',
  /** A bracket child names a parent the venue has never seen (or forgot long ago). */
  UNKNOWN_PARENT: 'ERR_UNKNOWN_PARENT',
  /** A post-only limit would have crossed the book and taken liquidity. */
  POST_ONLY_WOULD_TAKE: 'ERR_POST_ONLY_WOULD_TAKE',
  /** A reduce-only order would open or increase a position (or, at fill time, flip it). */
  REDUCE_ONLY: 'ERR_REDUCE_ONLY',
  /** Spot cash or the held coin does not cover the order. */
  INSUFFICIENT_FUNDS: 'ERR_INSUFFICIENT_FUNDS',
  /** Perpetuals: the available balance does not cover the initial margin (notional / leverage) plus fee. */
  INSUFFICIENT_MARGIN: 'ERR_INSUFFICIENT_MARGIN',
  /** Cancel: the venue liquidated the position of this symbol, and cancels its open orders first. */
  LIQUIDATION: 'LIQUIDATION',
  /**
   * Cancel: another order of the same OCO group filled (even partly); for the legs of a
   * bracket, the other legs closed all that the parent filled.
   */
  OCO_SIBLING_FILLED: 'OCO_SIBLING_FILLED',
  /** Cancel: the bracket parent ended without any fill, so there is nothing to protect. */
  PARENT_CANCELED: 'PARENT_CANCELED',
  /** Cancel: the bracket parent ended partly filled and this child already covers all of it. */
  PARENT_FILLED_LESS: 'PARENT_FILLED_LESS',
  /** Cancel: the part of an IOC order not filled on arrival. */
  IOC_REMAINDER: 'IOC_REMAINDER',
  /** Cancel: a FOK order could not fill entirely on arrival, so nothing filled. */
  FOK_NOT_FILLABLE: 'FOK_NOT_FILLABLE',
} as const;
export type SimReason = (typeof SimReason)[keyof typeof SimReason];
