/**
 * ACTIVE: everything allowed. REDUCING: only orders that shrink a position.
 * HALTED: no new orders at all, only cancels (the kill switch's state).
 */
export const TradingState = { ACTIVE: 'ACTIVE', REDUCING: 'REDUCING', HALTED: 'HALTED' } as const;
export type TradingState = (typeof TradingState)[keyof typeof TradingState];
