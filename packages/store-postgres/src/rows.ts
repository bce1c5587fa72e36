import { AgentrtError, ErrorCode } from "@agentrt/core";
import type { Page, PageRequest } from "@agentrt/runtime";
import type { Queryable } from "./database.js";

// JSON columns are TEXT: the rules are shared with the SQLite store.
export { fromJson, toJson } from "@agentrt/runtime";

/** At least one row per page, whatever the caller asked for. */
export function pageLimit(limit: number): number {
  return Math.max(1, Math.trunc(limit));
}

/**
 * Turns `limit + 1` fetched rows into a page; the extra row only signals that more exist. The
 * cursor is the key of the last item handed out, the scheme every agentrt store shares.
 */
export function toPage<T>(rows: T[], limit: number, keyOf: (item: T) => string | number): Page<T> {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: String(keyOf(items[items.length - 1]!)) };
}

/** For pages keyed by an integer (revisions). */
export function decodeIntegerCursor(cursor: string | undefined): number | null {
  if (cursor === undefined || cursor === "") return null;
  const value = Number(cursor);
  if (!/^\d+$/.test(cursor) || !Number.isSafeInteger(value)) {
    throw new AgentrtError(ErrorCode.BAD_REQUEST, "Invalid pagination cursor", { details: { cursor } });
  }
  return value;
}

/**
 * Newest-first keyset pagination over `table` by id, with an equality term per filter given.
 * Column and table names come from this package, never from callers.
 */
export async function listPage<Row extends { id: string }, T>(
  db: Queryable,
  table: string,
  filters: Record<string, string | undefined>,
  page: PageRequest,
  map: (row: Row) => T & { id: string },
): Promise<Page<T>> {
  const terms: string[] = [];
  const params: unknown[] = [];
  for (const [column, value] of Object.entries(filters)) {
    if (value === undefined) continue;
    params.push(value);
    terms.push(`${column} = $${params.length}`);
  }
  if (page.cursor !== undefined && page.cursor !== "") {
    params.push(page.cursor);
    terms.push(`id < $${params.length}`);
  }
  const limit = pageLimit(page.limit);
  params.push(limit + 1);
  const where = terms.length > 0 ? `WHERE ${terms.join(" AND ")}` : "";
  const { rows } = await db.query<Row>(
    `SELECT * FROM ${table} ${where} ORDER BY id DESC LIMIT $${params.length}`,
    params,
  );
  return toPage(rows.map(map), limit, (item) => item.id);
}
