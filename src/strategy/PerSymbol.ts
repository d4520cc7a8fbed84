/**
 * A strategy's state per symbol (its indicators, flags, last values), made on the first
 * bar of each symbol: a strategy runs the same rules on every configured symbol, each
 * with its own history, and a symbol that never trades costs nothing.
 */
export class PerSymbol<T> {
  private readonly states = new Map<string, T>();

  constructor(private readonly create: (symbol: string) => T) {}

  /** The symbol's state, made now if this is its first bar. */
  of(symbol: string): T {
    let s = this.states.get(symbol);
    if (s === undefined) {
      s = this.create(symbol);
      this.states.set(symbol, s);
    }
    return s;
  }
}
