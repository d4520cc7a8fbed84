import type { IChartApi, ISeriesApi, UTCTimestamp } from 'lightweight-charts';
import { AreaSeries, createChart } from 'lightweight-charts';
import { useEffect, useRef } from 'preact/hooks';

/** One point of a time series (epoch ms). */
export interface SeriesPoint {
  readonly ts: number;
  readonly value: number;
}

/**
 * A time-series area chart (equity, drawdown). Points sharing a second are merged (the
 * chart needs strictly increasing times), keeping the last value of each second.
 */
export function LineChart(props: { points: readonly SeriesPoint[]; color?: string; label: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | undefined>(undefined);
  const series = useRef<ISeriesApi<'Area'> | undefined>(undefined);
  const color = props.color ?? '#4a90e2';

  useEffect(() => {
    if (el.current === null) return;
    const c = createChart(el.current, {
      autoSize: true,
      layout: { background: { color: 'transparent' }, textColor: '#c9d1d9' },
      grid: { vertLines: { color: '#30363d' }, horzLines: { color: '#30363d' } },
      timeScale: { timeVisible: true },
    });
    chart.current = c;
    series.current = c.addSeries(AreaSeries, {
      lineColor: color,
      topColor: `${color}66`,
      bottomColor: `${color}00`,
      lineWidth: 2,
    });
    return () => c.remove();
  }, [color]);

  useEffect(() => {
    const data: { time: UTCTimestamp; value: number }[] = [];
    for (const p of props.points) {
      const time = Math.floor(p.ts / 1000) as UTCTimestamp;
      const last = data[data.length - 1];
      if (last !== undefined && last.time >= time) last.value = p.value;
      else data.push({ time, value: p.value });
    }
    series.current?.setData(data);
    chart.current?.timeScale().fitContent();
  }, [props.points]);

  return (
    <div class="chart small" ref={el} aria-label={props.label} data-points={String(props.points.length)} />
  );
}
