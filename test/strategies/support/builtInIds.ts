/** The ids of the first seven built-ins, in registry order. */
export const FIRST_IDS = ['sma-cross', 'ema-cross', 'rsi', 'macd', 'bollinger', 'grid', 'dca'] as const;

/** The ids of the fifteen built-ins of the strategy library added after them, in registry order. */
export const LIBRARY_IDS = [
  'atr-breakout',
  'bb-squeeze',
  'vol-regime',
  'multi-timeframe',
  'regime-switching',
  'adaptive',
  'weighted-combo',
  'momentum-rank',
  'rotation',
  'cross-sectional-reversion',
  'pairs-arbitrage',
  'order-flow',
  'factor-investing',
  'cross-exchange-spread',
  'funding-extreme',
] as const;
