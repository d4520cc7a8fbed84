/**
 * The JSON shapes of Binance's USDT-M futures API (/fapi), built from the fake's markets,
 * orders, fills, wallet and positions: REST answers and the listen-key stream events.
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/market-data/rest-api/Exchange-Information
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/account/rest-api
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/user-data-streams
 */
import { RATE_LIMITS } from './binancePayloads.js';
import { fmtUnits } from './decimal.js';
import type { FuturesLedger, FuturesPosition } from './FuturesLedger.js';
import type { MarketReplay } from './MarketReplay.js';
import type { ExecType, FakeFill, FakeOrder } from './orders.js';

/** Binance's minimum notional of a USDT-M order (reduce-only orders are exempt). */
export const FUTURES_MIN_NOTIONAL = '5';

const decimalsOfStep = (step: string): number => {
  const trimmed = step.replace(/0+$/, '');
  const dot = trimmed.indexOf('.');
  return dot < 0 || dot === trimmed.length - 1 ? 0 : trimmed.length - dot - 1;
};

/** One `symbols[]` entry of GET /fapi/v1/exchangeInfo: a USDT-margined perpetual. */
export function futuresSymbol(m: MarketReplay): Record<string, unknown> {
  return {
    symbol: m.id,
    pair: m.id,
    contractType: 'PERPETUAL',
    deliveryDate: 4133404800000,
    onboardDate: 1569398400000,
    status: 'TRADING',
    maintMarginPercent: '2.5000',
    requiredMarginPercent: '5.0000',
    baseAsset: m.base,
    quoteAsset: m.quote,
    marginAsset: m.quote,
    pricePrecision: decimalsOfStep(m.tickSize),
    quantityPrecision: decimalsOfStep(m.lotSize),
    baseAssetPrecision: 8,
    quotePrecision: 8,
    underlyingType: 'COIN',
    underlyingSubType: [],
    settlePlan: 0,
    triggerProtect: '0.0500',
    liquidationFee: '0.012500',
    marketTakeBound: '0.05',
    maxMoveOrderLimit: 10000,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: m.tickSize, maxPrice: '100000', tickSize: m.tickSize },
      { filterType: 'LOT_SIZE', minQty: m.lotSize, maxQty: '10000000', stepSize: m.lotSize },
      { filterType: 'MARKET_LOT_SIZE', minQty: m.lotSize, maxQty: '2000000', stepSize: m.lotSize },
      { filterType: 'MAX_NUM_ORDERS', limit: 200 },
      { filterType: 'MAX_NUM_ALGO_ORDERS', limit: 10 },
      { filterType: 'MIN_NOTIONAL', notional: FUTURES_MIN_NOTIONAL },
      {
        filterType: 'PERCENT_PRICE',
        multiplierUp: '1.0500',
        multiplierDown: '0.9500',
        multiplierDecimal: '4',
      },
    ],
    orderTypes: [
      'LIMIT',
      'MARKET',
      'STOP',
      'STOP_MARKET',
      'TAKE_PROFIT',
      'TAKE_PROFIT_MARKET',
      'TRAILING_STOP_MARKET',
    ],
    timeInForce: ['GTC', 'IOC', 'FOK', 'GTX', 'GTD'],
    permissionSet: ['GRID', 'COPY'],
  };
}

/** GET /fapi/v1/exchangeInfo. */
export function futuresExchangeInfo(
  markets: readonly MarketReplay[],
  serverTime: number,
): Record<string, unknown> {
  return {
    timezone: 'UTC',
    serverTime,
    futuresType: 'U_MARGINED',
    rateLimits: RATE_LIMITS,
    exchangeFilters: [],
    assets: [{ asset: 'USDT', marginAvailable: true, autoAssetExchange: '-10000' }],
    symbols: markets.map(futuresSymbol),
  };
}

/** Average fill price of an order ("0" before any fill). */
function avgPrice(o: FakeOrder): string {
  return o.executedQty === 0n ? '0' : fmtUnits((o.cumQuote * 100_000_000n) / o.executedQty);
}

/** An order as POST/GET/DELETE /fapi/v1/order and openOrders/allOrders answer it. */
export function futuresOrder(o: FakeOrder): Record<string, unknown> {
  return {
    orderId: o.orderId,
    symbol: o.symbol,
    status: o.status,
    clientOrderId: o.clientOrderId,
    price: fmtUnits(o.price),
    avgPrice: avgPrice(o),
    origQty: fmtUnits(o.origQty),
    executedQty: fmtUnits(o.executedQty),
    cumQty: fmtUnits(o.executedQty),
    cumQuote: fmtUnits(o.cumQuote),
    timeInForce: o.timeInForce ?? 'GTC',
    type: o.type,
    reduceOnly: o.reduceOnly,
    closePosition: false,
    side: o.side,
    positionSide: 'BOTH',
    stopPrice: fmtUnits(o.stopPrice),
    workingType: 'CONTRACT_PRICE',
    priceProtect: false,
    origType: o.type,
    priceMatch: 'NONE',
    selfTradePreventionMode: 'EXPIRE_MAKER',
    goodTillDate: 0,
    time: o.time,
    updateTime: o.updateTime,
  };
}

/** GET /fapi/v1/userTrades: one trade. */
export function futuresUserTrade(f: FakeFill): Record<string, unknown> {
  return {
    buyer: f.side === 'BUY',
    commission: fmtUnits(f.commission),
    commissionAsset: f.commissionAsset,
    id: f.tradeId,
    maker: f.maker,
    orderId: f.orderId,
    price: fmtUnits(f.price),
    qty: fmtUnits(f.qty),
    quoteQty: fmtUnits(f.quoteQty),
    realizedPnl: fmtUnits(f.realizedPnl),
    side: f.side,
    positionSide: 'BOTH',
    symbol: f.symbol,
    time: f.time,
  };
}

function signedAmt(p: FuturesPosition): bigint {
  return p.amt;
}

/**
 * Isolated margin of a position as Binance reports it: isolatedWallet is the margin put
 * behind it (no unrealized PnL), isolatedMargin the same plus unrealized PnL (Binance's own
 * example rows: 0.00274471 = 0.00268058 + 0.00006413); both "0" for cross.
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/trade/rest-api/Position-Information-V3
 */
function isolatedFields(
  ledger: FuturesLedger,
  symbol: string,
  p: FuturesPosition,
): { isolatedMargin: string; isolatedWallet: string } {
  if (p.marginType !== 'isolated' || p.amt === 0n) return { isolatedMargin: '0', isolatedWallet: '0' };
  return {
    isolatedMargin: fmtUnits(p.isolatedWallet + ledger.unrealized(symbol, p)),
    isolatedWallet: fmtUnits(p.isolatedWallet),
  };
}

/** One position as GET /fapi/v2 and /fapi/v3 positionRisk report it (v2 adds leverage etc.). */
export function positionRisk(
  ledger: FuturesLedger,
  symbol: string,
  p: FuturesPosition,
  version: 2 | 3,
): Record<string, unknown> {
  const mark = ledger.markPrice(symbol);
  const notional = (signedAmt(p) * mark) / 100_000_000n;
  const margin = ledger.positionMargin(symbol, p);
  const common = {
    symbol,
    positionSide: 'BOTH',
    positionAmt: fmtUnits(p.amt),
    entryPrice: fmtUnits(ledger.entryPrice(p)),
    breakEvenPrice: fmtUnits(ledger.entryPrice(p)),
    markPrice: fmtUnits(mark),
    unRealizedProfit: fmtUnits(ledger.unrealized(symbol, p)),
    liquidationPrice: '0',
    isolatedMargin: isolatedFields(ledger, symbol, p).isolatedMargin,
    notional: fmtUnits(notional),
    isolatedWallet: isolatedFields(ledger, symbol, p).isolatedWallet,
    updateTime: p.updateTime,
  };
  if (version === 2)
    return {
      ...common,
      leverage: String(p.leverage),
      maxNotionalValue: '1000000',
      marginType: p.marginType,
      isAutoAddMargin: 'false',
    };
  return {
    ...common,
    marginAsset: ledger.asset,
    initialMargin: fmtUnits(margin),
    maintMargin: fmtUnits(mulPct(margin, 10n)),
    positionInitialMargin: fmtUnits(margin),
    openOrderInitialMargin: '0',
    adl: 0,
    bidNotional: '0',
    askNotional: '0',
  };
}

/** Maintenance margin approximated as pct % of the initial margin (the fake has no brackets). */
function mulPct(x: bigint, pct: bigint): bigint {
  return (x * pct) / 100n;
}

/** GET /fapi/v2 and /fapi/v3 account. */
export function futuresAccount(
  ledger: FuturesLedger,
  updateTime: number,
  version: 2 | 3,
): Record<string, unknown> {
  const upnl = ledger.totalUnrealized();
  const posMargin = ledger.totalPositionMargin();
  const orderMargin = ledger.openOrderMargin();
  const available = ledger.available();
  const totals = {
    totalInitialMargin: fmtUnits(posMargin + orderMargin),
    totalMaintMargin: fmtUnits(mulPct(posMargin, 10n)),
    totalWalletBalance: fmtUnits(ledger.wallet),
    totalUnrealizedProfit: fmtUnits(upnl),
    totalMarginBalance: fmtUnits(ledger.wallet + upnl),
    totalPositionInitialMargin: fmtUnits(posMargin),
    totalOpenOrderInitialMargin: fmtUnits(orderMargin),
    totalCrossWalletBalance: fmtUnits(ledger.wallet),
    totalCrossUnPnl: fmtUnits(upnl),
    availableBalance: fmtUnits(available),
    maxWithdrawAmount: fmtUnits(available),
  };
  const asset = {
    asset: ledger.asset,
    walletBalance: fmtUnits(ledger.wallet),
    unrealizedProfit: fmtUnits(upnl),
    marginBalance: fmtUnits(ledger.wallet + upnl),
    maintMargin: fmtUnits(mulPct(posMargin, 10n)),
    initialMargin: fmtUnits(posMargin + orderMargin),
    positionInitialMargin: fmtUnits(posMargin),
    openOrderInitialMargin: fmtUnits(orderMargin),
    crossWalletBalance: fmtUnits(ledger.wallet),
    crossUnPnl: fmtUnits(upnl),
    availableBalance: fmtUnits(available),
    maxWithdrawAmount: fmtUnits(available),
    marginAvailable: true,
    updateTime,
  };
  const positions = [...ledger.positions]
    .filter(([, p]) => version === 2 || p.amt !== 0n)
    .map(([symbol, p]) => {
      const margin = ledger.positionMargin(symbol, p);
      return {
        symbol,
        positionSide: 'BOTH',
        positionAmt: fmtUnits(p.amt),
        unrealizedProfit: fmtUnits(ledger.unrealized(symbol, p)),
        ...isolatedFields(ledger, symbol, p),
        notional: fmtUnits((p.amt * ledger.markPrice(symbol)) / 100_000_000n),
        initialMargin: fmtUnits(margin),
        maintMargin: fmtUnits(mulPct(margin, 10n)),
        updateTime: p.updateTime,
        ...(version === 2
          ? {
              leverage: String(p.leverage),
              isolated: p.marginType === 'isolated',
              entryPrice: fmtUnits(ledger.entryPrice(p)),
              maxNotional: '1000000',
              positionInitialMargin: fmtUnits(margin),
              openOrderInitialMargin: '0',
              bidNotional: '0',
              askNotional: '0',
            }
          : {}),
      };
    });
  return {
    ...(version === 2
      ? {
          feeTier: 0,
          canTrade: true,
          canDeposit: true,
          canWithdraw: true,
          updateTime: 0,
          multiAssetsMargin: false,
          tradeGroupId: -1,
        }
      : {}),
    ...totals,
    assets: [asset],
    positions,
  };
}

/** GET /fapi/v2/balance. */
export function futuresBalance(ledger: FuturesLedger, updateTime: number): Record<string, unknown>[] {
  return [
    {
      accountAlias: 'SgsR',
      asset: ledger.asset,
      balance: fmtUnits(ledger.wallet),
      crossWalletBalance: fmtUnits(ledger.wallet),
      crossUnPnl: fmtUnits(ledger.totalUnrealized()),
      availableBalance: fmtUnits(ledger.available()),
      maxWithdrawAmount: fmtUnits(ledger.available()),
      marginAvailable: true,
      updateTime,
    },
  ];
}

/** GET /fapi/v1/leverageBracket for each symbol (one bracket: the fake has no tiers). */
export function leverageBrackets(symbols: readonly string[]): Record<string, unknown>[] {
  return symbols.map((symbol) => ({
    symbol,
    brackets: [
      {
        bracket: 1,
        initialLeverage: 125,
        notionalCap: 1_000_000,
        notionalFloor: 0,
        maintMarginRatio: 0.004,
        cum: 0,
      },
    ],
  }));
}

/** The ORDER_TRADE_UPDATE event of an order change. */
export function orderTradeUpdate(
  o: FakeOrder,
  execType: ExecType | 'AMENDMENT',
  fill: FakeFill | undefined,
  eventTime: number,
): Record<string, unknown> {
  // The exchange's own closing orders: order type LIQUIDATION, their fills "CALCULATED"
  // (liquidation execution), not TRADE — ccxt's watchMyTrades does not list them.
  const forced = o.clientOrderId.startsWith('autoclose-') || o.clientOrderId === 'adl_autoclose';
  const type = forced ? 'LIQUIDATION' : o.type;
  return {
    e: 'ORDER_TRADE_UPDATE',
    E: eventTime,
    T: fill?.time ?? o.updateTime,
    o: {
      s: o.symbol,
      c: o.clientOrderId,
      S: o.side,
      o: type,
      f: o.timeInForce ?? 'GTC',
      q: fmtUnits(o.origQty),
      p: fmtUnits(o.price),
      ap: avgPrice(o),
      sp: fmtUnits(o.stopPrice),
      x: forced && execType === 'TRADE' ? 'CALCULATED' : execType,
      X: o.status,
      i: o.orderId,
      l: fmtUnits(fill?.qty ?? 0n),
      z: fmtUnits(o.executedQty),
      L: fmtUnits(fill?.price ?? 0n),
      N: fill?.commissionAsset ?? 'USDT',
      n: fmtUnits(fill?.commission ?? 0n),
      T: fill?.time ?? o.updateTime,
      t: fill?.tradeId ?? 0,
      b: '0',
      a: '0',
      m: fill?.maker ?? false,
      R: o.reduceOnly,
      wt: 'CONTRACT_PRICE',
      ot: type,
      ps: 'BOTH',
      cp: false,
      rp: fmtUnits(fill?.realizedPnl ?? 0n),
      pP: false,
      si: 0,
      ss: 0,
      V: 'EXPIRE_MAKER',
      pm: 'NONE',
      gtd: 0,
    },
  };
}

/** The ACCOUNT_UPDATE event: wallet and the positions of `symbols`. */
export function accountUpdate(
  ledger: FuturesLedger,
  symbols: readonly string[],
  reason: string,
  eventTime: number,
): Record<string, unknown> {
  return {
    e: 'ACCOUNT_UPDATE',
    E: eventTime,
    T: eventTime,
    a: {
      m: reason,
      B: [{ a: ledger.asset, wb: fmtUnits(ledger.wallet), cw: fmtUnits(ledger.wallet), bc: '0' }],
      P: symbols.map((s) => {
        const p = ledger.position(s);
        return {
          s,
          pa: fmtUnits(p.amt),
          ep: fmtUnits(ledger.entryPrice(p)),
          bep: fmtUnits(ledger.entryPrice(p)),
          cr: '0',
          up: fmtUnits(ledger.unrealized(s, p)),
          mt: p.marginType,
          iw: isolatedFields(ledger, s, p).isolatedWallet,
          ps: 'BOTH',
        };
      }),
    },
  };
}
