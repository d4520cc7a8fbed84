// The shape of a grid (its rungs, and the state a restart resumes) and its geometry, apart
// from the strategy that trades it: these are plain data and arithmetic, no orders.

/** One rung of the grid, as kept in the strategy state (JSON). */
export interface GridLevel {
  /** Limit price of the buy: reference × (1 − i × spacing), i = 1 … levels. */
  readonly buyPrice: number;
  /** Limit price of the sell that closes the rung: one spacing higher. */
  readonly sellPrice: number;
  /** 'buy': waiting to buy; 'sell': holds `quantity` and waits to sell it. */
  stage: 'buy' | 'sell';
  /**
   * Coins the rung holds (decimal text) while the stage is 'sell'. Its sell asks for all of
   * them, or, where the sell's fee is also taken in the coin, for what leaves that fee (see
   * sellableWithFee).
   */
  quantity: string | null;
  /** The working order of this rung, if one is out. */
  orderId: string | null;
  /** Denied or rejected last time: retried after the next sell fill or a re-centering, not on every bar. */
  parked: boolean;
}

/** The grid of one symbol, as kept in the strategy state. */
export interface GridState {
  readonly reference: number;
  readonly spacingPct: number;
  readonly levels: GridLevel[];
}

/** Key of one symbol's grid in the strategy state; a restarted strategy resumes the grid under it. */
export const gridStateKey = (symbol: string): string => `grid:${symbol}`;

/**
 * A fresh grid around `reference`: `levels` buys spaced `spacingPct` % of it apart below it,
 * each closed by a sell one spacing higher, so the top rung sells back at the reference.
 */
export function buildGrid(reference: number, levels: number, spacingPct: number): GridState {
  const s = spacingPct / 100;
  const rungs: GridLevel[] = [];
  for (let i = 1; i <= levels; i++) {
    rungs.push({
      buyPrice: reference * (1 - i * s),
      sellPrice: reference * (1 - (i - 1) * s),
      stage: 'buy',
      quantity: null,
      orderId: null,
      parked: false,
    });
  }
  return { reference, spacingPct, levels: rungs };
}

/**
 * Close above the reference, or below the lowest buy, by more than one spacing: the price has
 * left the grid, which is laid again around it once no rung holds inventory.
 */
export function leftGrid(grid: GridState, close: number): boolean {
  const step = grid.reference * (grid.spacingPct / 100);
  const lowest = grid.levels.reduce((m, l) => Math.min(m, l.buyPrice), grid.reference);
  return close > grid.reference + step || close < lowest - step;
}
