import type { IChartApi, ISeriesApi, ISeriesMarkersPluginApi, Time, UTCTimestamp } from 'lightweight-charts';
import { CandlestickSeries, LineSeries, createChart, createSeriesMarkers } from 'lightweight-charts';
import { useEffect, useRef } from 'preact/hooks';
import type { Candle } from '../api/types';
import type { Overlay } from '../indicators';

/** A fill drawn on the chart: an arrow under (buy) or over (sell) its candle. */
export interface FillMarker {
  readonly ts: number;
  readonly side: 'BUY' | 'SELL';
  readonly text: string;
}

const COLORS = ['#f5a623', '#4a90e2', '#bd10e0', '#7ed321', '#50e3c2'];
const sec = (ms: number): UTCTimestamp => Math.floor(ms / 1000) as UTCTimestamp;

/** Index of the candle a time falls in (candles sorted by open time), or -1 before the first. */
function candleIndexAt(candles: readonly Candle[], ts: number): number {
  let lo = 0;
  let hi = candles.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((candles[mid]?.ts ?? Infinity) <= ts) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * Candlesticks (TradingView lightweight-charts) with the strategy's indicator overlays and
 * its fills as markers on the candle each fill happened in.
 */
export function CandleChart(props: {
  candles: readonly Candle[];
  overlays: readonly Overlay[];
  markers: readonly FillMarker[];
}) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | undefined>(undefined);
  const candleSeries = useRef<ISeriesApi<'Candlestick'> | undefined>(undefined);
  const markerApi = useRef<ISeriesMarkersPluginApi<Time> | undefined>(undefined);
  const lines = useRef<ISeriesApi<'Line'>[]>([]);

  useEffect(() => {
    if (el.current === null) return;
    const c = createChart(el.current, {
      autoSize: true,
      layout: { background: { color: 'transparent' }, textColor: '#c9d1d9' },
      grid: { vertLines: { color: '#30363d' }, horzLines: { color: '#30363d' } },
      timeScale: { timeVisible: true, secondsVisible: false },
    });
    chart.current = c;
    candleSeries.current = c.addSeries(CandlestickSeries, {
      priceFormat: { type: 'price', precision: 8, minMove: 1e-8 },
    });
    markerApi.current = createSeriesMarkers(candleSeries.current, []);
    return () => {
      c.remove();
      chart.current = undefined;
      lines.current = [];
    };
  }, []);

  useEffect(() => {
    const c = chart.current;
    const s = candleSeries.current;
    if (c === undefined || s === undefined) return;
    s.setData(
      props.candles.map((k) => ({ time: sec(k.ts), open: k.open, high: k.high, low: k.low, close: k.close })),
    );
    for (const l of lines.current) c.removeSeries(l);
    lines.current = props.overlays.map((o, i) => {
      const line = c.addSeries(LineSeries, {
        color: COLORS[i % COLORS.length] ?? '#888',
        lineWidth: 1,
        title: o.name,
        priceLineVisible: false,
        lastValueVisible: false,
        priceFormat: { type: 'price', precision: 8, minMove: 1e-8 },
      });
      line.setData(
        props.candles.flatMap((k, j) => {
          const v = o.values[j];
          return v === null || v === undefined ? [] : [{ time: sec(k.ts), value: v }];
        }),
      );
      return line;
    });
    const marks = props.markers
      .map((m) => ({ m, i: candleIndexAt(props.candles, m.ts) }))
      .filter(({ i }) => i >= 0)
      .sort((a, b) => a.i - b.i)
      .map(({ m, i }) => ({
        time: sec(props.candles[i]?.ts ?? 0),
        position: m.side === 'BUY' ? ('belowBar' as const) : ('aboveBar' as const),
        shape: m.side === 'BUY' ? ('arrowUp' as const) : ('arrowDown' as const),
        color: m.side === 'BUY' ? '#3fb950' : '#f85149',
        text: m.text,
      }));
    markerApi.current?.setMarkers(marks);
  }, [props.candles, props.overlays, props.markers]);

  return <div class="chart" ref={el} data-markers={String(props.markers.length)} />;
}
