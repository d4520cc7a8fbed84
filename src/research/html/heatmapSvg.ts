import { escapeXml, svgOpen } from '../../backtest/svgChart.js';

/** What {@link heatmapSvg} draws: a value per (x, y) cell, null where there is none. */
export interface HeatmapOptions {
  readonly title: string;
  readonly xName: string;
  readonly yName: string;
  readonly xValues: readonly string[];
  readonly yValues: readonly string[];
  /** values[y][x]. */
  readonly values: readonly (readonly (number | null)[])[];
  /** True when larger values are better (green); false colours small values green. */
  readonly higherIsBetter: boolean;
  readonly format: (v: number) => string;
}

const BAD: readonly [number, number, number] = [220, 38, 38];
const MID: readonly [number, number, number] = [248, 250, 252];
const GOOD: readonly [number, number, number] = [22, 163, 74];
const EMPTY = '#e2e8f0';

/**
 * A heatmap of an objective over two parameters as inline SVG: red for the worst value,
 * green for the best, each cell's value in its tooltip. Cells with no value (combinations
 * skipped, or an undefined statistic) are grey. Labels thin out when there are many values.
 */
export function heatmapSvg(o: HeatmapOptions): string {
  const nx = o.xValues.length;
  const ny = o.yValues.length;
  const left = 70;
  const top = 10;
  const bottom = 44;
  const cw = Math.max(4, Math.min(60, Math.floor(880 / Math.max(1, nx))));
  const ch = Math.max(4, Math.min(28, Math.floor(520 / Math.max(1, ny))));
  const W = left + cw * nx + 20;
  const H = top + ch * ny + bottom;
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of o.values) {
    for (const v of row) {
      if (v === null || !Number.isFinite(v)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const parts = [svgOpen(o.title, W, H)];
  const showText = cw >= 40 && ch >= 16;
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      const v = o.values[y]?.[x] ?? null;
      const fill = v === null || !Number.isFinite(v) ? EMPTY : color(v, lo, hi, o.higherIsBetter);
      // Rows go up: the first y value at the bottom, as on a chart's axis.
      const px = left + x * cw;
      const py = top + (ny - 1 - y) * ch;
      const label = `${o.xName}=${o.xValues[x] ?? ''}, ${o.yName}=${o.yValues[y] ?? ''}: ${v === null ? 'n/a' : o.format(v)}`;
      parts.push(
        `<rect x="${px}" y="${py}" width="${cw}" height="${ch}" fill="${fill}" stroke="#ffffff" stroke-width="1"><title>${escapeXml(label)}</title></rect>`,
      );
      if (showText && v !== null) {
        parts.push(
          `<text x="${px + cw / 2}" y="${py + ch / 2}" text-anchor="middle" dominant-baseline="middle" font-size="10" fill="#0f172a">${escapeXml(o.format(v))}</text>`,
        );
      }
    }
  }
  const xEvery = Math.max(1, Math.ceil(nx / Math.floor((cw * nx) / 36)));
  for (let x = 0; x < nx; x += xEvery) {
    parts.push(
      `<text x="${left + x * cw + cw / 2}" y="${top + ch * ny + 14}" text-anchor="middle" font-size="11" fill="#64748b">${escapeXml(o.xValues[x] ?? '')}</text>`,
    );
  }
  const yEvery = Math.max(1, Math.ceil(ny / Math.floor((ch * ny) / 14)));
  for (let y = 0; y < ny; y += yEvery) {
    parts.push(
      `<text x="${left - 6}" y="${top + (ny - 1 - y) * ch + ch / 2}" text-anchor="end" dominant-baseline="middle" font-size="11" fill="#64748b">${escapeXml(o.yValues[y] ?? '')}</text>`,
    );
  }
  parts.push(
    `<text x="${left + (cw * nx) / 2}" y="${H - 6}" text-anchor="middle" font-size="12" fill="#0f172a">${escapeXml(o.xName)}</text>`,
    `<text x="14" y="${top + (ch * ny) / 2}" text-anchor="middle" font-size="12" fill="#0f172a" transform="rotate(-90 14 ${top + (ch * ny) / 2})">${escapeXml(o.yName)}</text>`,
    '</svg>',
  );
  return parts.join('');
}

/** Red → near-white → green by where v sits between the worst and the best value. */
function color(v: number, lo: number, hi: number, higherIsBetter: boolean): string {
  let t = hi > lo ? (v - lo) / (hi - lo) : 1;
  if (!higherIsBetter) t = 1 - t;
  const [a, b, u] = t < 0.5 ? [BAD, MID, t * 2] : [MID, GOOD, (t - 0.5) * 2];
  const c = a.map((x, i) => Math.round(x + ((b[i] as number) - x) * u));
  return `rgb(${c.join(',')})`;
}
