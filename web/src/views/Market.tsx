import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Candle } from '../api/types';
import type { FillMarker } from '../components/CandleChart';
import { CandleChart } from '../components/CandleChart';
import { dec } from '../format';
import type { Overlay } from '../indicators';
import { overlaysFor } from '../indicators';
import { api } from '../state/session';
import { fills, loadError, pushConnection, status, strategies } from '../state/store';

/** Replaces or appends a bar by its open time, keeping the list sorted and bounded. */
export function mergeCandle(list: readonly Candle[], bar: Candle, max = 1000): Candle[] {
  const out = [...list];
  const last = out[out.length - 1];
  if (last !== undefined && last.ts === bar.ts) out[out.length - 1] = bar;
  else if (last === undefined || last.ts < bar.ts) out.push(bar);
  else {
    const i = out.findIndex((c) => c.ts >= bar.ts);
    if (out[i]?.ts === bar.ts) out[i] = bar;
    else out.splice(i, 0, bar);
  }
  return out.slice(-max);
}

function feeds(): { symbol: string; timeframe: string }[] {
  const seen = new Map<string, { symbol: string; timeframe: string }>();
  for (const s of status.value?.strategies ?? [])
    for (const symbol of s.symbols) seen.set(`${symbol} ${s.timeframe}`, { symbol, timeframe: s.timeframe });
  return [...seen.values()];
}

/** Candles per symbol with live updates, the strategy's indicator overlays and its fills as markers. */
export function Market() {
  const options = feeds();
  const [pick, setPick] = useState<string>('');
  const chosen = options.find((o) => `${o.symbol} ${o.timeframe}` === pick) ?? options[0];
  const [candles, setCandles] = useState<Candle[]>([]);
  const symbol = chosen?.symbol;
  const timeframe = chosen?.timeframe;

  useEffect(() => {
    if (symbol === undefined || timeframe === undefined) return;
    let live = true;
    setCandles([]);
    api
      .get<{ candles: Candle[] }>('/market/candles', { symbol, timeframe, limit: 1000 })
      .then((r) => {
        if (live) setCandles((now) => r.candles.reduce((acc, c) => mergeCandle(acc, c), now));
      })
      .catch((e: unknown) => (loadError.value = (e as Error).message));
    const off = pushConnection()?.subscribe(`candles:${symbol}:${timeframe}`, (data, kind) => {
      if (kind === 'snapshot') {
        const snap = data as { candles?: Candle[]; forming?: Candle | null };
        const bars = [...(snap.candles ?? []), ...(snap.forming ? [snap.forming] : [])];
        setCandles((now) => bars.reduce((acc, c) => mergeCandle(acc, c), now));
      } else if (data !== null) setCandles((now) => mergeCandle(now, data as Candle));
    });
    return () => {
      live = false;
      off?.();
    };
  }, [symbol, timeframe]);

  const running = strategies.value.filter(
    (s) => symbol !== undefined && s.symbols.includes(symbol) && s.timeframe === timeframe,
  );
  const overlays = useMemo<Overlay[]>(() => {
    const closes = candles.map((c) => c.close);
    return running.flatMap((s) =>
      overlaysFor(s.params, s.paramsSchema.properties ?? {}, closes).map((o) => ({
        ...o,
        name: `${s.id} ${o.name}`,
      })),
    );
  }, [candles, JSON.stringify(running.map((s) => [s.id, s.params]))]);
  const symbolFills = fills.value.filter((f) => f.symbol === symbol);
  const markers = useMemo<FillMarker[]>(
    () =>
      symbolFills.map((f) => ({
        ts: f.ts,
        side: f.side,
        text: `${f.side === 'BUY' ? 'B' : 'S'} ${dec(f.qty)}`,
      })),
    [symbolFills.map((f) => f.tradeId).join()],
  );
  const last = candles[candles.length - 1];

  return (
    <div class="view" data-testid="view-market">
      <div class="toolbar">
        <label>
          Market{' '}
          <select
            value={chosen === undefined ? '' : `${chosen.symbol} ${chosen.timeframe}`}
            onChange={(e) => setPick(e.currentTarget.value)}
            data-testid="market-pick"
          >
            {options.map((o) => (
              <option key={`${o.symbol} ${o.timeframe}`} value={`${o.symbol} ${o.timeframe}`}>
                {o.symbol} {o.timeframe}
              </option>
            ))}
          </select>
        </label>
        <span data-testid="candle-count">{candles.length} candles</span>
        <span>last {last === undefined ? '—' : last.close}</span>
        <span data-testid="marker-count">{markers.length} fills</span>
        {overlays.map((o) => (
          <span class="tag" key={o.name}>
            {o.name}
          </span>
        ))}
      </div>
      <CandleChart candles={candles} overlays={overlays} markers={markers} />
    </div>
  );
}
