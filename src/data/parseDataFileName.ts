import { basename, extname } from 'node:path';

/** What a data file's name says about its contents. */
export interface DataFileName {
  /** ccxt symbol from a freqtrade-style name (`ETH_BTC` → `ETH/BTC`, `XRP_USDT_USDT` → `XRP/USDT:USDT`). */
  readonly pair: string | undefined;
  /** The name's first dash-separated part upper-cased (`orcl-1995-2014.txt` → `ORCL`). */
  readonly ticker: string;
  /** Timeframe from the second part when it is one (`ETH_BTC-5m.csv` → `5m`). */
  readonly timeframe: string | undefined;
}

const TIMEFRAME = /^[1-9]\d*[smhdw]$/;

/**
 * Reads freqtrade's file naming, `{BASE}_{QUOTE}[_{SETTLE}]-{timeframe}[-{candle type}]`
 * (`XRP_USDT_USDT-5m-futures.csv`, `XRP_USDT_USDT-8h-mark.csv`), and the bare ticker names
 * of Yahoo downloads. Underscores stand for `/` and `:` because neither is allowed in
 * file names everywhere.
 */
export function parseDataFileName(path: string): DataFileName {
  const stem = basename(path, extname(path));
  const parts = stem.split('-');
  const first = parts[0] ?? stem;
  const second = parts[1];
  const assets = first.split('_');
  const pair = assets.some((a) => a === '')
    ? undefined
    : assets.length === 2
      ? `${assets[0]}/${assets[1]}`
      : assets.length === 3
        ? `${assets[0]}/${assets[1]}:${assets[2]}`
        : undefined;
  return {
    pair,
    ticker: first.toUpperCase(),
    timeframe: second !== undefined && TIMEFRAME.test(second) ? second : undefined,
  };
}

/**
 * The symbol a candle file's name gives: a Yahoo download's ticker is priced in USD
 * (`ORCL/USD`); other files are named for their pair (`ETH/BTC`), else their ticker.
 */
export function symbolOfFile(name: DataFileName, yahoo: boolean): string {
  return yahoo ? `${name.ticker}/USD` : (name.pair ?? name.ticker);
}
