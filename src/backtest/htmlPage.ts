import { escapeXml, svgLineChart } from './svgChart.js';

// The page shell, tables and style rules shared by the HTML reports: the backtest report
// (htmlReport.ts) and the research reports (src/research/html, a higher layer that imports this).

/**
 * One self-contained HTML page: a header with the title and the meta line (each escaped here),
 * then the sections as given. No script, font, stylesheet or image is loaded from anywhere, so
 * the page opens offline. Deterministic: the same arguments give the same bytes.
 */
export function htmlPage(
  title: string,
  meta: readonly string[],
  sections: readonly string[],
  css: string,
): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(title)}</title>`,
    `<style>${css}</style>`,
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

const EQUITY_COLOR = '#2563eb';

/** An equity curve as a line chart whose y range takes in the initial equity. */
export function equityChart(
  title: string,
  curve: readonly { readonly ts: number; readonly equity: number }[],
  initialEquity: number,
): string {
  return svgLineChart({
    title,
    series: [{ x: curve.map((p) => p.ts), y: curve.map((p) => p.equity), color: EQUITY_COLOR }],
    yInclude: [initialEquity],
  });
}

/** A two-column table of labelled values; escaped here. */
export function kvTable(caption: string, rows: readonly (readonly [string, string])[]): string {
  return `<table class="kv"><caption>${escapeXml(caption)}</caption><tbody>${rows
    .map(([k, v]) => `<tr><th scope="row">${escapeXml(k)}</th><td>${escapeXml(v)}</td></tr>`)
    .join('')}</tbody></table>`;
}

/** Options of {@link dataTable}. */
export interface DataTableOptions {
  /** Class of the `<table>` (its rules: {@link dataTableCss}); `data` by default. */
  readonly tableClass?: string;
  /** Class of row i; undefined writes no class attribute, a string (even '') writes one. */
  readonly rowClass?: (i: number) => string | undefined;
}

/** A scrolling table with a sticky header row; head and cells are escaped here. */
export function dataTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
  opts: DataTableOptions = {},
): string {
  const body = rows
    .map((cells, i) => {
      const cls = opts.rowClass?.(i);
      return `<tr${cls === undefined ? '' : ` class="${cls}"`}>${cells.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`;
    })
    .join('');
  return `<div class="scroll"><table class="${opts.tableClass ?? 'data'}"><thead><tr>${head
    .map((h) => `<th>${escapeXml(h)}</th>`)
    .join('')}</tr></thead><tbody>${body}</tbody></table></div>`;
}

// Style rules, one a line. A report joins the groups it uses, with its own rules between them,
// with '\n' into the css of htmlPage.

/** Colours, type, page width and the h1/h2 headings. */
export const PAGE_CSS: readonly string[] = [
  ':root{color-scheme:light;--fg:#0f172a;--muted:#64748b;--line:#e2e8f0;--bg:#ffffff;--panel:#f8fafc}',
  '*{box-sizing:border-box}',
  'body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}',
  'main{max-width:1200px;margin:0 auto;padding:24px 16px 48px}',
  'h1{font-size:22px;margin:0 0 4px;overflow-wrap:anywhere}',
  'h2{font-size:17px;margin:32px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}',
];

/** The grid of side-by-side tables, table basics and {@link kvTable}. */
export const TABLE_CSS: readonly string[] = [
  '.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:16px}',
  'table{border-collapse:collapse;width:100%}',
  'caption{text-align:left;font-weight:600;padding:4px 0}',
  'th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}',
  '.kv th{font-weight:500;color:var(--muted);width:45%}',
  '.kv td{text-align:right;font-variant-numeric:tabular-nums}',
];

/** A {@link dataTable} of class `cls`: scrolling, sticky header, figures right-aligned. */
export function dataTableCss(cls: string): string[] {
  return [
    '.scroll{overflow-x:auto}',
    `.${cls}{font-variant-numeric:tabular-nums;white-space:nowrap}`,
    `.${cls} thead th{position:sticky;top:0;background:var(--panel);font-weight:600}`,
    `.${cls} td{text-align:right}`,
  ];
}

/** Preformatted blocks and the inline SVG charts (grid lines, ticks and frame as on every report). */
export const FIGURE_CSS: readonly string[] = [
  'pre{background:var(--panel);padding:8px;border:1px solid var(--line);overflow-x:auto}',
  'svg.chart{width:100%;height:auto;display:block;background:var(--panel);border:1px solid var(--line);border-radius:4px}',
  'svg.chart text{font-size:11px;fill:var(--muted);font-family:inherit}',
  'svg.chart .gridline{stroke:var(--line);stroke-width:1}',
  'svg.chart .tick{stroke:var(--muted)}',
  'svg.chart .frame{stroke:var(--line)}',
];
