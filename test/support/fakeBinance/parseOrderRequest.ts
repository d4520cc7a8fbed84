/**
 * Reading a new-order request (POST /api/v3/order, POST /fapi/v1/order) the way Binance does:
 * mandatory parameters per order type, then the symbol's filters, each failure answered with
 * Binance's code and message. Spot and USDT-M futures share the parameters but word their
 * filter failures differently (spot -1013 "Filter failure: …", futures -4014/-1111/-4164).
 * https://developers.binance.com/docs/binance-spot-api-docs/filters
 * https://developers.binance.com/docs/binance-spot-api-docs/errors
 * https://developers.binance.com/docs/derivatives/usds-margined-futures/error-code
 */
import { mulUnits, parseUnits } from './decimal.js';
import type { MarketReplay } from './MarketReplay.js';
import type { OrderRequest } from './OrderMatcher.js';
import { lastPrice } from './OrderMatcher.js';
import type { Venue } from './orders.js';
import { BinanceError } from './RestApi.js';

const SPOT_TYPES = new Set(['MARKET', 'LIMIT', 'LIMIT_MAKER', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT']);
const FUTURES_TYPES = new Set(['MARKET', 'LIMIT']);
const CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;
const MAX_QTY = 9_000_000_000_000_000n;

/** A Binance -1102 error for a missing parameter. */
export function mandatory(name: string): BinanceError {
  return new BinanceError(
    400,
    -1102,
    `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`,
  );
}

/** A parameter as exact units, undefined when absent; -1100/-1111 when malformed or too precise. */
export function unitsParam(params: URLSearchParams, name: string): bigint | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^\d+(\.\d*)?$/.test(raw))
    throw new BinanceError(
      400,
      -1100,
      `Illegal characters found in parameter '${name}'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.`,
    );
  const units = parseUnits(raw);
  if (units === undefined)
    throw new BinanceError(400, -1111, 'Precision is over the maximum defined for this asset.');
  return units;
}

/**
 * The validated order of a request on `venue`; `market` resolves the Binance symbol (-1121
 * when unknown) and `newClientId` names orders sent without a client order id.
 */
export function parseOrderRequest(
  venue: Venue,
  params: URLSearchParams,
  market: (id: string) => MarketReplay | undefined,
  newClientId: () => string,
): { req: OrderRequest; market: MarketReplay } {
  const symbol = params.get('symbol');
  if (symbol === null || symbol === '') throw mandatory('symbol');
  const m = market(symbol);
  if (m === undefined) throw new BinanceError(400, -1121, 'Invalid symbol.');
  const side = params.get('side');
  if (side === null || side === '') throw mandatory('side');
  if (side !== 'BUY' && side !== 'SELL') throw new BinanceError(400, -1117, 'Invalid side.');
  const type = params.get('type');
  if (type === null || type === '') throw mandatory('type');
  if (!(venue === 'spot' ? SPOT_TYPES : FUTURES_TYPES).has(type))
    throw new BinanceError(400, -1116, 'Invalid orderType.');

  const tif = params.get('timeInForce') ?? undefined;
  const needsTif = type === 'LIMIT' || type === 'STOP_LOSS_LIMIT' || type === 'TAKE_PROFIT_LIMIT';
  if (needsTif && tif === undefined) throw mandatory('timeInForce');
  if (!needsTif && tif !== undefined && venue === 'spot')
    throw new BinanceError(400, -1106, "Parameter 'timeInForce' sent when not required.");
  const tifs = venue === 'spot' ? ['GTC', 'IOC', 'FOK'] : ['GTC', 'IOC', 'FOK', 'GTX'];
  if (needsTif && !tifs.includes(tif as string)) throw new BinanceError(400, -1115, 'Invalid timeInForce.');

  const qty = unitsParam(params, 'quantity');
  const quoteOrderQty = venue === 'spot' ? unitsParam(params, 'quoteOrderQty') : undefined;
  if (qty === undefined && !(type === 'MARKET' && quoteOrderQty !== undefined)) throw mandatory('quantity');
  const price = unitsParam(params, 'price');
  if (type !== 'MARKET' && price === undefined) throw mandatory('price');
  if (type === 'MARKET' && price !== undefined && venue === 'spot')
    throw new BinanceError(400, -1106, "Parameter 'price' sent when not required.");
  const isStop = type === 'STOP_LOSS_LIMIT' || type === 'TAKE_PROFIT_LIMIT';
  const stopPrice = unitsParam(params, 'stopPrice');
  if (isStop && stopPrice === undefined) throw mandatory('stopPrice');
  const reduceOnly = params.get('reduceOnly') === 'true';
  if (reduceOnly && venue === 'spot')
    throw new BinanceError(400, -1104, 'Not all sent parameters were read.');

  const clientOrderId = params.get('newClientOrderId') ?? newClientId();
  if (!CLIENT_ID.test(clientOrderId))
    throw new BinanceError(
      400,
      -1100,
      "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.",
    );

  const req: OrderRequest = {
    symbol,
    clientOrderId,
    side,
    type,
    timeInForce: needsTif || (venue === 'futures' && tif !== undefined) ? tif : undefined,
    price: price ?? 0n,
    stopPrice: stopPrice ?? 0n,
    qty: qty ?? 0n,
    quoteOrderQty: quoteOrderQty ?? 0n,
    reduceOnly,
  };
  if (venue === 'spot') checkSpotFilters(req, m);
  else checkFuturesFilters(req, m);
  return { req, market: m };
}

function checkSpotFilters(req: OrderRequest, m: MarketReplay): void {
  const fail = (filter: string): BinanceError => new BinanceError(400, -1013, `Filter failure: ${filter}`);
  const tick = parseUnits(m.tickSize) as bigint;
  const lot = parseUnits(m.lotSize) as bigint;
  for (const p of [req.price, req.stopPrice]) if (p !== 0n && p % tick !== 0n) throw fail('PRICE_FILTER');
  if (req.type !== 'MARKET' && req.price < tick) throw fail('PRICE_FILTER');
  if (req.quoteOrderQty === 0n) {
    if (req.qty < lot || req.qty > MAX_QTY || req.qty % lot !== 0n)
      throw fail(req.type === 'MARKET' ? 'LOT_SIZE' : 'LOT_SIZE');
  }
  const ref = req.type === 'MARKET' ? (lastPrice(m) ?? 0n) : req.price;
  const notional = req.quoteOrderQty > 0n ? req.quoteOrderQty : mulUnits(req.qty, ref);
  if (notional < (parseUnits(m.minNotional) as bigint)) throw fail('NOTIONAL');
}

function checkFuturesFilters(req: OrderRequest, m: MarketReplay): void {
  const tick = parseUnits(m.tickSize) as bigint;
  const lot = parseUnits(m.lotSize) as bigint;
  if (req.type !== 'MARKET' && (req.price < tick || req.price % tick !== 0n))
    throw new BinanceError(400, -4014, 'Price not increased by tick size.');
  if (req.qty <= 0n) throw new BinanceError(400, -4003, 'Quantity less than or equal to zero.');
  if (req.qty % lot !== 0n)
    throw new BinanceError(400, -1111, 'Precision is over the maximum defined for this asset.');
  if (req.qty < lot) throw new BinanceError(400, -4003, 'Quantity less than or equal to zero.');
  const ref = req.type === 'MARKET' ? (lastPrice(m) ?? 0n) : req.price;
  if (!req.reduceOnly && mulUnits(req.qty, ref) < 500_000_000n)
    throw new BinanceError(
      400,
      -4164,
      "Order's notional must be no smaller than 5 (unless you choose reduce only).",
    );
}
