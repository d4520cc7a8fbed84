import type { Exchange, Market } from 'ccxt';
import { QtsError } from '../core/QtsError.js';
import type { Instrument } from '../model/Instrument.js';
import { isFeeSide, makeInstrument } from '../model/Instrument.js';

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
      // Which currency a spot fill's fee comes out of (Binance spot: 'get', the coin
      // received), so shadow charges fees where live will; perpetuals ignore it.
      feeSide: isFeeSide(m.feeSide) ? m.feeSide : 'quote',
      feeStep: commissionStep(m),
      // Linear perpetuals ("BTC/USDT:USDT") become PERPETUAL by their symbol; the exchange
      // tells the contract size and, when it publishes one, the leverage ceiling.
      ...(m.contract === true && m.contractSize !== undefined ? { contractSize: m.contractSize } : {}),
      ...(m.contract === true && m.limits.leverage?.max !== undefined
        ? { maxLeverage: m.limits.leverage.max }
        : {}),
    });
  });
}

/**
 * The unit the exchange books commissions in, from Binance's `baseCommissionPrecision` /
 * `quoteCommissionPrecision` (decimal places; the finer of the two), or 0 (exact) when the
 * exchange does not say.
 */
function commissionStep(m: NonNullable<Market>): string {
  const info = (m.info ?? {}) as Record<string, unknown>;
  const places = [info['baseCommissionPrecision'], info['quoteCommissionPrecision']]
    .filter((p) => typeof p === 'number' || (typeof p === 'string' && p.trim() !== ''))
    .map(Number)
    .filter((p) => Number.isInteger(p) && p >= 0 && p <= 16);
  if (places.length === 0) return '0';
  const p = Math.max(...places);
  return p === 0 ? '1' : `0.${'0'.repeat(p - 1)}1`;
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
