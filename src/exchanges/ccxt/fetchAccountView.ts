import type { Exchange, Position } from 'ccxt';
import type { Fixed } from '../../core/Fixed.js';
import { ZERO, mul, neg } from '../../core/Fixed.js';
import type { AccountView } from '../../execution/reconcileAccount.js';
import type { ClientIdCodec } from './clientIdQuirks.js';
import type { MarginModeName } from '../../model/MarginMode.js';
import type { Instrument } from '../../model/Instrument.js';
import { walletBalances } from './accountQuirks.js';
import { exact } from './executionMappers.js';
import type { RequestGate } from './RequestGate.js';

/** An open order as the exchange lists it: its symbol and the exchange's own id for it. */
export interface ExchangeOpenOrder {
  readonly symbol: string;
  readonly venueOrderId: string;
}

/** The exchange's view, with the exchange id of each open order (to cancel an orphan by). */
export interface ExchangeAccountView extends AccountView {
  readonly openOrders: ReadonlyMap<string, ExchangeOpenOrder>;
}

/**
 * The exchange's side of a reconciliation: open orders of our symbols, total balances and
 * positions (spot: the base currency held; perpetuals: fetchPositions' signed contracts in
 * base units). With perpetuals the balance is the wallet balance (realized PnL, fees and
 * funding; no unrealized PnL), which is what our ledger's cash holds for a futures account.
 * Isolated positions also report the margin behind them (see isolatedWallet), and every open
 * position its margin mode (ccxt's Position.marginMode, from positionRisk's marginType).
 * Open orders are keyed by our client id as the exchange's codec reads it (the same reading
 * the execution client uses), so they meet our side's keys (clientIdOf): ccxt's unified
 * `clientOrderId` is not that everywhere (Gate reports "t-qtsQ…", Deribit carries ours in
 * `label` and ccxt maps none). An order without a client id we can read is keyed by its
 * exchange id: never one of ours.
 * Every call goes through the gate.
 * Binance: GET /api/v3/openOrders, GET /api/v3/account —
 * https://developers.binance.com/docs/binance-spot-api-docs/rest-api/account-endpoints
 * USDT-M: GET /fapi/v1/openOrders, /fapi/v3/account, /fapi/v3/positionRisk —
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/account/rest-api
 */
export async function fetchAccountView(
  exchange: Exchange,
  gate: RequestGate,
  instruments: readonly Instrument[],
  clientIds: ClientIdCodec,
): Promise<ExchangeAccountView> {
  const openOrders = new Map<string, ExchangeOpenOrder>();
  for (const inst of instruments) {
    const orders = await gate.run(() => exchange.fetchOpenOrders(inst.symbol));
    for (const o of orders) {
      const venueOrderId = String(o.id);
      openOrders.set(clientIds.read(o) ?? venueOrderId, { symbol: inst.symbol, venueOrderId });
    }
  }
  const bal = await gate.run(() => exchange.fetchBalance());
  const perps = instruments.filter((i) => i.kind === 'PERPETUAL');
  const balances = new Map<string, Fixed>();
  const totals = (bal.total ?? {}) as unknown as Record<string, number | undefined>;
  for (const [c, v] of Object.entries(totals)) balances.set(c, exact(v));
  // A futures wallet is compared without unrealized PnL: our ledger books only what settled.
  if (perps.length > 0) for (const [c, v] of walletBalances(exchange, bal)) balances.set(c, v);
  const positions = new Map<string, Fixed>();
  const isolatedMargins = new Map<string, Fixed>();
  const marginModes = new Map<string, MarginModeName>();
  for (const inst of instruments)
    if (inst.kind === 'SPOT') positions.set(inst.symbol, balances.get(inst.base) ?? ZERO);
  if (perps.length > 0) {
    const list = await gate.run(() => exchange.fetchPositions(perps.map((p) => p.symbol)));
    for (const p of list) {
      const inst = perps.find((i) => i.symbol === p.symbol);
      if (inst === undefined) continue;
      // ccxt counts contracts; the ledger counts the base (1 contract = contractSize base).
      const qty = mul(exact(p.contracts), inst.contractSize);
      positions.set(inst.symbol, p.side === 'short' ? neg(qty) : qty);
      const margin = isolatedWallet(p);
      if (margin !== undefined && qty !== ZERO) isolatedMargins.set(inst.symbol, margin);
      if (qty !== ZERO && (p.marginMode === 'isolated' || p.marginMode === 'cross'))
        marginModes.set(inst.symbol, p.marginMode);
    }
  }
  return { openOrders, balances, positions, isolatedMargins, marginModes };
}

/**
 * The margin behind an isolated position without its unrealized PnL, as our ledger keeps it;
 * undefined for cross or when the exchange does not say. Binance USDⓈ-M /fapi/v3/positionRisk
 * gives two figures: `isolatedWallet`, the margin put behind the position (opening fills,
 * funding, margin added or removed), and `isolatedMargin` = isolatedWallet + unRealizedProfit
 * (ccxt's own sample row: 0.00274471 = 0.00268058 + 0.00006413). ccxt's unified `collateral`
 * is isolatedMargin (moves with the mark), and its `initialMargin` is notional at mark ÷
 * leverage: neither is the wallet-like figure, so it is read from the raw row.
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/Position-Information-V3
 */
function isolatedWallet(p: Position): Fixed | undefined {
  if (p.marginMode !== 'isolated') return undefined;
  const info = p.info as Record<string, unknown> | undefined;
  const raw = info?.['isolatedWallet'];
  return typeof raw === 'string' || typeof raw === 'number' ? exact(raw) : undefined;
}
