import { FIGURE_CSS, PAGE_CSS, TABLE_CSS, dataTableCss, htmlPage } from '../../backtest/htmlPage.js';
import { BUY_COLOR, SELL_COLOR } from '../../backtest/svgChart.js';

/**
 * The shell of every research report: one self-contained HTML page (no script, font or
 * image from anywhere), the same look as the backtest report. Deterministic: the same
 * sections give the same bytes.
 */
export function researchPage(title: string, meta: readonly string[], sections: readonly string[]): string {
  return htmlPage(title, meta, sections, CSS);
}

/** Parameters as `a=1, b=2`. */
export function fmtParams(p: Readonly<Record<string, unknown>>): string {
  return Object.entries(p)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
}

const CSS = [
  ...PAGE_CSS,
  '.meta,.note{color:var(--muted);margin:4px 0}',
  ...TABLE_CSS,
  ...dataTableCss('data'),
  '.data tr.best td{background:#ecfdf5;font-weight:600}',
  `.data tr.neg td{color:${SELL_COLOR}}`,
  `.data tr.pos td{color:${BUY_COLOR}}`,
  ...FIGURE_CSS,
].join('\n');
