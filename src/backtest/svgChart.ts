/**
 * Minimal inline-SVG line charts for the HTML report. The report must open offline from a
 * single file, so no charting library or CDN: a chart is a string of SVG with a viewBox, which
 * the browser scales to the page width.
 */

import { groupThousands } from './reportFormat.js';

/** One line of a chart. Points with a non-finite y break the line. */
export interface ChartSeries {
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  readonly color: string;
  /** Shade the area between the line and this y value (e.g. 0 for a drawdown chart). */
  readonly fillTo?: number;
}

/** A trade marker: ▲ below the point for a buy, ▼ above it for a sell. */
export interface ChartMarker {
  readonly x: number;
  readonly y: number;
  readonly kind: 'buy' | 'sell';
  /** Tooltip text (escaped here). */
  readonly title: string;
}

/** What {@link svgLineChart} draws. */
export interface ChartOptions {
  /** Accessible name of the chart (escaped here). */
  readonly title: string;
  readonly series: readonly ChartSeries[];
  readonly markers?: readonly ChartMarker[];
  /** Formats y tick labels; plain numbers by default. */
  readonly yFormat?: (v: number) => string;
  /** Force these values into the y range (e.g. 0 for drawdowns). */
  readonly yInclude?: readonly number[];
  readonly width?: number;
  readonly height?: number;
}

export const BUY_COLOR = '#16a34a';
export const SELL_COLOR = '#dc2626';

const PAD = { left: 78, right: 16, top: 12, bottom: 30 };

/** Escapes text for HTML/SVG element content and quoted attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => {
    switch (c) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&#39;';
    }
  });
}

/** The opening `<svg class="chart">` tag of a `width` × `height` chart and its `<title>` (escaped here). */
export function svgOpen(title: string, width: number, height: number): string {
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}"><title>${escapeXml(title)}</title>`;
}

/**
 * A line chart as an `<svg>` element string with a time x axis (ms since epoch, labelled
 * in UTC) and a linear y axis with round tick values.
 */
export function svgLineChart(opts: ChartOptions): string {
  const W = opts.width ?? 1000;
  const H = opts.height ?? 300;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const markers = opts.markers ?? [];

  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const s of opts.series) {
    const n = Math.min(s.x.length, s.y.length);
    for (let i = 0; i < n; i++) {
      const x = s.x[i] as number;
      const y = s.y[i] as number;
      if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
      if (x < xMin) xMin = x;
      if (x > xMax) xMax = x;
      if (y < yMin) yMin = y;
      if (y > yMax) yMax = y;
    }
    if (s.fillTo !== undefined) {
      yMin = Math.min(yMin, s.fillTo);
      yMax = Math.max(yMax, s.fillTo);
    }
  }
  const hasSeriesX = Number.isFinite(xMin);
  for (const m of markers) {
    if (!Number.isFinite(m.x) || !Number.isFinite(m.y)) continue;
    if (!hasSeriesX) {
      xMin = Math.min(xMin, m.x);
      xMax = Math.max(xMax, m.x);
    }
    yMin = Math.min(yMin, m.y);
    yMax = Math.max(yMax, m.y);
  }
  for (const v of opts.yInclude ?? []) {
    yMin = Math.min(yMin, v);
    yMax = Math.max(yMax, v);
  }

  const open = svgOpen(opts.title, W, H);
  if (!Number.isFinite(xMin) || !Number.isFinite(yMin)) {
    return `${open}<text x="${W / 2}" y="${H / 2}" text-anchor="middle" class="empty">No data</text></svg>`;
  }
  if (xMax === xMin) {
    xMin -= 1;
    xMax += 1;
  }
  if (yMax === yMin) {
    const d = Math.abs(yMin) > 0 ? Math.abs(yMin) * 0.01 : 1;
    yMin -= d;
    yMax += d;
  }
  const yPad = (yMax - yMin) * 0.04;
  const yTicks = niceTicks(yMin - yPad, yMax + yPad, 5);
  const yStep = yTicks.length > 1 ? (yTicks[1] as number) - (yTicks[0] as number) : 0;
  const yFormat = opts.yFormat ?? ((v: number) => formatTick(v, yStep));
  const lo = Math.min(yMin - yPad, yTicks[0] ?? yMin);
  const hi = Math.max(yMax + yPad, yTicks[yTicks.length - 1] ?? yMax);

  const sx = (x: number): number => PAD.left + ((x - xMin) / (xMax - xMin)) * plotW;
  const sy = (y: number): number => PAD.top + (1 - (y - lo) / (hi - lo)) * plotH;

  const parts: string[] = [open];
  // Grid and y labels.
  for (const t of yTicks) {
    const y = r2(sy(t));
    parts.push(
      `<line class="gridline" stroke="#e2e8f0" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}"/>`,
      `<text class="ylab" fill="#64748b" font-size="11" x="${PAD.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeXml(yFormat(t))}</text>`,
    );
  }
  // X labels: evenly spaced dates.
  const xTicks = 6;
  const span = xMax - xMin;
  for (let k = 0; k <= xTicks; k++) {
    const t = xMin + (span * k) / xTicks;
    const x = r2(sx(t));
    const anchor = k === 0 ? 'start' : k === xTicks ? 'end' : 'middle';
    parts.push(
      `<line class="tick" stroke="#94a3b8" x1="${x}" x2="${x}" y1="${PAD.top + plotH}" y2="${PAD.top + plotH + 4}"/>`,
      `<text class="xlab" fill="#64748b" font-size="11" x="${x}" y="${H - 8}" text-anchor="${anchor}">${escapeXml(formatTime(t, span))}</text>`,
    );
  }
  parts.push(
    `<rect class="frame" stroke="#e2e8f0" x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" fill="none"/>`,
  );

  for (const s of opts.series) {
    const runs = linePaths(s, sx, sy);
    if (s.fillTo !== undefined) {
      const base = r2(sy(s.fillTo));
      for (const run of runs) {
        parts.push(
          `<path d="${run.d} L${run.lastX},${base} L${run.firstX},${base} Z" fill="${s.color}" fill-opacity="0.15" stroke="none"/>`,
        );
      }
    }
    for (const run of runs) {
      // A run of one point (a one-bar run, a point between two gaps) is a path with no length,
      // which no browser draws: it shows as a dot instead.
      parts.push(
        run.points === 1
          ? `<circle cx="${run.firstX}" cy="${run.firstY}" r="2.5" fill="${s.color}"/>`
          : `<path d="${run.d}" fill="none" stroke="${s.color}" stroke-width="1.5" stroke-linejoin="round" vector-effect="non-scaling-stroke"/>`,
      );
    }
  }

  for (const m of markers) {
    if (!Number.isFinite(m.x) || !Number.isFinite(m.y) || m.x < xMin || m.x > xMax) continue;
    const x = r2(sx(m.x));
    const y = r2(sy(m.y));
    // The triangle's tip touches the fill price: ▲ from below for buys, ▼ from above for sells.
    const d = m.kind === 'buy' ? `M${x},${y} l-5,9 h10 Z` : `M${x},${y} l-5,-9 h10 Z`;
    const color = m.kind === 'buy' ? BUY_COLOR : SELL_COLOR;
    parts.push(
      `<path class="${m.kind}" d="${d}" fill="${color}"><title>${escapeXml(m.title)}</title></path>`,
    );
  }

  parts.push('</svg>');
  return parts.join('');
}

interface Run {
  readonly d: string;
  readonly firstX: number;
  readonly firstY: number;
  readonly lastX: number;
  readonly points: number;
}

/** The series as one path per unbroken run of finite points. */
function linePaths(s: ChartSeries, sx: (x: number) => number, sy: (y: number) => number): Run[] {
  const runs: Run[] = [];
  const n = Math.min(s.x.length, s.y.length);
  let d: string[] = [];
  let firstX = 0;
  let firstY = 0;
  let lastX = 0;
  const flush = (): void => {
    if (d.length > 0) runs.push({ d: d.join(' '), firstX, firstY, lastX, points: d.length });
    d = [];
  };
  for (let i = 0; i < n; i++) {
    const xv = s.x[i] as number;
    const yv = s.y[i] as number;
    if (!Number.isFinite(xv) || !Number.isFinite(yv)) {
      flush();
      continue;
    }
    const x = r2(sx(xv));
    const y = r2(sy(yv));
    if (d.length === 0) {
      firstX = x;
      firstY = y;
    }
    d.push(`${d.length === 0 ? 'M' : 'L'}${x},${y}`);
    lastX = x;
  }
  flush();
  return runs;
}

/** Round tick values covering [lo, hi]: steps of 1, 2 or 5 × 10^k. */
export function niceTicks(lo: number, hi: number, count: number): number[] {
  const raw = (hi - lo) / Math.max(1, count);
  if (!(raw > 0) || !Number.isFinite(raw)) return [lo];
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step); k * step <= hi + step * 1e-9; k++) {
    // Multiply rather than accumulate, and trim float noise (0.30000000000000004 → 0.3).
    ticks.push(Number((k * step).toPrecision(12)));
  }
  return ticks;
}

/** A tick value with as many decimals as the tick step needs, thousands grouped. */
function formatTick(v: number, step: number): string {
  const decimals = step > 0 ? Math.min(12, Math.max(0, -Math.floor(Math.log10(step) + 1e-9))) : 2;
  const s = v.toFixed(decimals);
  // A negative value that rounds to zero is labelled 0, not -0.
  return groupThousands(Number(s) === 0 ? s.replace(/^-/, '') : s);
}

/** UTC date (and time when the chart spans less than a few days). */
function formatTime(ts: number, span: number): string {
  if (!Number.isFinite(ts) || Math.abs(ts) > 8.64e15) return '';
  const iso = new Date(ts).toISOString();
  return span >= 3 * 86_400_000 ? iso.slice(0, 10) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
}

function r2(v: number): number {
  return Math.round(v * 100) / 100;
}
