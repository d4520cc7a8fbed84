/** One query of a dashboard panel. */
export interface PanelTarget {
  readonly panel: string;
  readonly refId: string;
  readonly expr: string;
}

interface Panel {
  readonly type?: unknown;
  readonly title?: unknown;
  readonly targets?: unknown;
  readonly panels?: unknown;
}

/** Every PromQL query of a Grafana dashboard, rows' nested panels included. */
export function dashboardTargets(dashboard: unknown): PanelTarget[] {
  const out: PanelTarget[] = [];
  const walk = (panels: unknown): void => {
    if (!Array.isArray(panels)) return;
    for (const p of panels as Panel[]) {
      walk(p.panels);
      if (!Array.isArray(p.targets)) continue;
      for (const t of p.targets as { refId?: unknown; expr?: unknown }[]) {
        out.push({ panel: String(p.title), refId: String(t.refId), expr: String(t.expr) });
      }
    }
  };
  walk((dashboard as { panels?: unknown }).panels);
  return out;
}

/**
 * A panel query as Grafana would send it: its built-in interval variables and the
 * dashboard's template variables replaced. `$__rate_interval` becomes 1m here, at least
 * four scrapes of the tests' 1 s interval, as Grafana guarantees.
 */
export function instantiate(expr: string, vars: Readonly<Record<string, string>>): string {
  let out = expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '15s')
    .replaceAll('$__range', '1h');
  for (const [name, value] of Object.entries(vars)) {
    out = out.replaceAll(`\${${name}}`, value).replaceAll(`$${name}`, value);
  }
  return out;
}
