import { escapeXml, svgOpen } from '../../backtest/svgChart.js';

/** Options of {@link histogramSvg}. */
export interface HistogramOptions {
  readonly title: string;
  /** The sample (any order). */
  readonly values: ArrayLike<number>;
  readonly bins?: number;
  readonly color: string;
  readonly format: (v: number) => string;
  /** Vertical marker lines (percentiles), labelled. */
  readonly markers?: readonly { readonly x: number; readonly label: string }[];
}

/** A histogram of a sample as inline SVG: equal-width bins between its min and max. */
export function histogramSvg(o: HistogramOptions): string {
  const W = 1000;
  const H = 260;
  const pad = { left: 50, right: 16, top: 22, bottom: 30 };
  const n = o.values.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = o.values[i] as number;
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const head = svgOpen(o.title, W, H);
  if (!Number.isFinite(lo))
    return `${head}<text x="${W / 2}" y="${H / 2}" text-anchor="middle">No data</text></svg>`;
  if (hi === lo) {
    lo -= 0.5 * (Math.abs(lo) || 1) * 0.01;
    hi += 0.5 * (Math.abs(hi) || 1) * 0.01;
  }
  const bins = o.bins ?? 50;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) {
    const v = o.values[i] as number;
    if (!Number.isFinite(v)) continue;
    const b = Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins));
    counts[b] = (counts[b] as number) + 1;
  }
  const maxCount = Math.max(...counts);
  const plotW = W - pad.left - pad.right;
  const plotH = H - pad.top - pad.bottom;
  const sx = (v: number): number => pad.left + ((v - lo) / (hi - lo)) * plotW;
  const bw = plotW / bins;
  const parts = [head];
  counts.forEach((c, b) => {
    const h = maxCount > 0 ? (c / maxCount) * plotH : 0;
    const from = lo + ((hi - lo) * b) / bins;
    const to = lo + ((hi - lo) * (b + 1)) / bins;
    parts.push(
      `<rect x="${r2(pad.left + b * bw)}" y="${r2(pad.top + plotH - h)}" width="${r2(Math.max(0.5, bw - 1))}" height="${r2(h)}" fill="${o.color}"><title>${escapeXml(`${o.format(from)} … ${o.format(to)}: ${c}`)}</title></rect>`,
    );
  });
  for (const m of o.markers ?? []) {
    const x = r2(sx(m.x));
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${pad.top}" y2="${pad.top + plotH}" stroke="#0f172a" stroke-dasharray="4 3"/>`,
      `<text x="${x}" y="${pad.top - 6}" text-anchor="middle" font-size="11" fill="#0f172a">${escapeXml(m.label)}</text>`,
    );
  }
  for (const v of [lo, (lo + hi) / 2, hi]) {
    parts.push(
      `<text x="${r2(sx(v))}" y="${H - 10}" text-anchor="middle" font-size="11" fill="#64748b">${escapeXml(o.format(v))}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

function r2(x: number): number {
  return Math.round(x * 100) / 100;
}
