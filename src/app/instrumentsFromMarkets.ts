import type { Exchange, Market } from 'ccxt';
import { QtsError } from '../core/QtsError.js';
import type { Instrument } from '../model/Instrument.js';
import { makeInstrument } from '../model/Instrument.js';

/**
 * Instruments as the exchange defines them (tick, lot, minimums, fees), so shadow orders
 * are held to the same precision rules live orders will meet. ccxt reports precision as
 * the tick size itself for exchanges in TICK_SIZE mode (Binance) and as decimal places
 * otherwise. Inverse and dated contracts are refused: the ledger books linear perpetuals only.
 */
export function instrumentsFromMarkets(exchange: Exchange, symbols: readonly string[]): Instrument[] {
  return symbols.map((symbol) => {
    const m = exchange.markets?.[symbol] as Market | undefined;
    if (m === undefined) throw new QtsError('ERR_UNKNOWN_SYMBOL', `${exchange.id} has no market ${symbol}`);
    if (m.contract === true && (m.linear !== true || m.swap !== true))
      throw new QtsError(
        'ERR_UNSUPPORTED_INSTRUMENT',
        `${symbol} is not a linear perpetual: only spot and USDT-M perpetuals are traded`,
      );
    const tickMode = exchange.precisionMode === 4; // ccxt TICK_SIZE
    const step = (p: number | undefined, fallback: string): string =>
      p === undefined ? fallback : tickMode ? String(p) : (10 ** -p).toFixed(Math.max(0, p));
    return makeInstrument({
      symbol,
      venue: exchange.id,
      tickSize: step(m.precision.price, '0.00000001'),
      lotSize: step(m.precision.amount, '0.00000001'),
      minQty: m.limits.amount?.min ?? 0,
      minNotional: m.limits.cost?.min ?? 0,
      makerFee: m.maker ?? 0.001,
      takerFee: m.taker ?? 0.001,
      // Linear perpetuals ("BTC/USDT:USDT") become PERPETUAL by their symbol; the exchange
      // tells the contract size and, when it publishes one, the leverage ceiling.
      ...(m.contract === true && m.contractSize !== undefined ? { contractSize: m.contractSize } : {}),
      ...(m.contract === true && m.limits.leverage?.max !== undefined
        ? { maxLeverage: m.limits.leverage.max }
        : {}),
    });
  });
}

/** Instruments when no exchange tells us better (replay and synthetic markets). */
export function defaultInstruments(symbols: readonly string[], commission: number): Instrument[] {
  return symbols.map((symbol) =>
    makeInstrument({
      symbol,
      tickSize: '0.00000001',
      lotSize: '0.00000001',
      makerFee: commission,
      takerFee: commission,
    }),
  );
}
