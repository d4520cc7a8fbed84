import { BUY_COLOR, SELL_COLOR, escapeXml } from '../../backtest/svgChart.js';

/**
 * The shell of every research report: one self-contained HTML page (no script, font or
 * image from anywhere), the same look as the backtest report. Deterministic: the same
 * sections give the same bytes.
 */
export function researchPage(title: string, meta: readonly string[], sections: readonly string[]): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<header><h1>${escapeXml(title)}</h1><p class="meta">${meta.map(escapeXml).join(' · ')}</p></header>`,
    ...sections,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** A two-column table of labelled values. */
export function kvTable(caption: string, rows: readonly (readonly [string, string])[]): string {
  return `<table class="kv"><caption>${escapeXml(caption)}</caption><tbody>${rows
    .map(([k, v]) => `<tr><th scope="row">${escapeXml(k)}</th><td>${escapeXml(v)}</td></tr>`)
    .join('')}</tbody></table>`;
}

/** A data table; cells are escaped here. */
export function dataTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  rowClass?: (i: number) => string,
): string {
  const body = rows
    .map((cells, i) => {
      const cls = rowClass?.(i) ?? '';
      return `<tr${cls ? ` class="${cls}"` : ''}>${cells.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`;
    })
    .join('');
  return `<div class="scroll"><table class="data"><thead><tr>${head
    .map((h) => `<th>${escapeXml(h)}</th>`)
    .join('')}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/** A fraction as a percentage, or — when undefined. */
export function pct(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(2)} %`;
}

/** A number with fixed decimals, or —. */
export function num(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}

/** A UTC date and minute. */
export function fmtTime(ts: number | null): string {
  if (ts === null || !Number.isFinite(ts) || Math.abs(ts) > 8.64e15) return '—';
  return new Date(ts).toISOString().slice(0, 16).replace('T', ' ');
}

/** Parameters as `a=1, b=2`. */
export function fmtParams(p: Readonly<Record<string, unknown>>): string {
  return Object.entries(p)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
}

const CSS = `
:root{color-scheme:light;--fg:#0f172a;--muted:#64748b;--line:#e2e8f0;--bg:#ffffff;--panel:#f8fafc}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1200px;margin:0 auto;padding:24px 16px 48px}
h1{font-size:22px;margin:0 0 4px;overflow-wrap:anywhere}
h2{font-size:17px;margin:32px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}
.meta,.note{color:var(--muted);margin:4px 0}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:16px}
table{border-collapse:collapse;width:100%}
caption{text-align:left;font-weight:600;padding:4px 0}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
.kv th{font-weight:500;color:var(--muted);width:45%}
.kv td{text-align:right;font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto}
.data{font-variant-numeric:tabular-nums;white-space:nowrap}
.data thead th{position:sticky;top:0;background:var(--panel);font-weight:600}
.data td{text-align:right}
.data tr.best td{background:#ecfdf5;font-weight:600}
.data tr.neg td{color:${SELL_COLOR}}
.data tr.pos td{color:${BUY_COLOR}}
pre{background:var(--panel);padding:8px;border:1px solid var(--line);overflow-x:auto}
svg.chart{width:100%;height:auto;display:block;background:var(--panel);border:1px solid var(--line);border-radius:4px}
svg.chart text{font-size:11px;fill:var(--muted);font-family:inherit}
`.trim();
