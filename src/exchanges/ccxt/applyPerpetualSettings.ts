import type { Exchange } from 'ccxt';
import ccxt from 'ccxt';
import { QtsError } from '../../core/QtsError.js';
import type { Instrument } from '../../model/Instrument.js';
import type { MarginMode, MarginModeName } from '../../model/MarginMode.js';
import { marginModeOf } from '../../model/MarginMode.js';
import type { RequestGate } from './RequestGate.js';

/** Leverage and margin mode wanted for one perpetual. */
export interface PerpetualSettings {
  readonly leverage: number;
  readonly marginMode: MarginModeName;
}

/** What was set on the exchange for one symbol, in the ledger's words. */
export interface AppliedPerpetualSettings {
  readonly symbol: string;
  readonly leverage: number;
  readonly mode: MarginMode;
}

/** A perpetual traded without its own settings runs at the safest: 1x, isolated. */
export const DEFAULT_PERPETUAL_SETTINGS: PerpetualSettings = { leverage: 1, marginMode: 'isolated' };

/**
 * Sets margin mode, then leverage, of every perpetual we trade, before any strategy may
 * submit: an order placed at the exchange's leftover leverage (another bot's, a human's)
 * would carry a risk nobody configured. The mode goes first because Binance refuses to change
 * it with a position or open order, and leverage can change at any time.
 * Binance USDT-M: POST /fapi/v1/marginType, POST /fapi/v1/leverage —
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/Change-Margin-Type
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/Change-Initial-Leverage
 *
 * Throws ERR_PERPETUAL_SETTINGS_REFUSED when the exchange refuses either (a leverage above
 * the symbol's bracket, a mode change with a position open): trading on settings other than
 * the configured ones is not allowed to start. "Already set" answers count as success.
 */
export async function applyPerpetualSettings(
  exchange: Exchange,
  gate: RequestGate,
  instruments: readonly Instrument[],
  wanted: Readonly<Record<string, PerpetualSettings>>,
): Promise<AppliedPerpetualSettings[]> {
  const perps = instruments.filter((i) => i.kind === 'PERPETUAL');
  for (const symbol of Object.keys(wanted))
    if (!perps.some((p) => p.symbol === symbol))
      throw new QtsError(
        'ERR_CONFIG',
        `live.perpetuals names ${symbol}, which no enabled strategy trades as a perpetual`,
      );
  const applied: AppliedPerpetualSettings[] = [];
  for (const inst of perps) {
    const s = wanted[inst.symbol] ?? DEFAULT_PERPETUAL_SETTINGS;
    if (s.leverage > inst.maxLeverage)
      throw new QtsError(
        'ERR_PERPETUAL_SETTINGS_REFUSED',
        `${inst.symbol}: leverage ${s.leverage} is above the exchange's maximum ${inst.maxLeverage}`,
      );
    await refusedAs(inst.symbol, `margin mode ${s.marginMode}`, () =>
      setMarginMode(exchange, gate, s.marginMode, inst.symbol),
    );
    await refusedAs(inst.symbol, `leverage ${s.leverage}`, () =>
      gate.run(() => exchange.setLeverage(s.leverage, inst.symbol)),
    );
    applied.push({
      symbol: inst.symbol,
      leverage: s.leverage,
      mode: marginModeOf(s.marginMode),
    });
  }
  return applied;
}

/** Sets `symbol`'s margin mode through the gate; the mode being set already counts as success. */
export async function setMarginMode(
  exchange: Exchange,
  gate: RequestGate,
  mode: MarginModeName,
  symbol: string,
): Promise<void> {
  await gate.run(() => exchange.setMarginMode(mode, symbol)).catch(alreadySet);
}

/** Binance answers -4046 "No need to change margin type." when the mode is already the one asked. */
function alreadySet(e: unknown): undefined {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof ccxt.MarginModeAlreadySet || /-4046|no need to change margin type/i.test(message))
    return undefined;
  throw e;
}

async function refusedAs(symbol: string, what: string, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new QtsError(
      'ERR_PERPETUAL_SETTINGS_REFUSED',
      `${symbol}: the exchange refused ${what}: ${message}`,
      { symbol },
    );
  }
}
