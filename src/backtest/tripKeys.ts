/** The map key of a (strategy, symbol) pair, built once per pair rather than once per fill. */
export class TripKeys {
  private readonly bySymbol = new Map<string, Map<string, string>>();
  // Fills of one run mostly come from one pair: the last answer is kept.
  private lastStrategy = '';
  private lastSymbol = '';
  private lastKey = '';

  of(strategyId: string, symbol: string): string {
    if (strategyId === this.lastStrategy && symbol === this.lastSymbol && this.lastKey !== '')
      return this.lastKey;
    let byStrategy = this.bySymbol.get(symbol);
    if (byStrategy === undefined) {
      byStrategy = new Map();
      this.bySymbol.set(symbol, byStrategy);
    }
    let key = byStrategy.get(strategyId);
    if (key === undefined) {
      key = `${strategyId}\u0000${symbol}`;
      byStrategy.set(strategyId, key);
    }
    this.lastStrategy = strategyId;
    this.lastSymbol = symbol;
    this.lastKey = key;
    return key;
  }
}
