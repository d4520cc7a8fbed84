/**
 * A paged, filtered list query built from optional criteria: each criterion given adds one
 * named-parameter condition (never interpolated text), and paging is clamped so no caller
 * can ask for an unbounded page. Shared by the stores' `list` methods.
 */
export class QueryFilter {
  readonly params: Record<string, string | number> = {};
  private readonly where: string[] = [];

  /** Adds `sql` (using @key) when `value` is given. */
  when(sql: string, key: string, value: string | number | undefined): this {
    if (value === undefined) return this;
    this.where.push(sql);
    this.params[key] = value;
    return this;
  }

  /** Adds a condition with no parameter (or whose parameters were set on `params`). */
  raw(sql: string): this {
    this.where.push(sql);
    return this;
  }

  /** SELECT * FROM `table` with the conditions, `orderBy`, and a page of at most 10 000 rows (default 100). */
  sql(table: string, orderBy: string, limit: number | undefined, offset: number | undefined): string {
    this.params['limit'] = Math.min(Math.max(Math.trunc(limit ?? 100), 0), 10_000);
    this.params['offset'] = Math.max(Math.trunc(offset ?? 0), 0);
    const where = this.where.length > 0 ? `WHERE ${this.where.join(' AND ')}` : '';
    return `SELECT * FROM ${table} ${where} ORDER BY ${orderBy} LIMIT @limit OFFSET @offset`;
  }
}
