import type { DatabaseSync, SQLInputValue } from "node:sqlite";
import type { PageRequest } from "@agentrt/runtime";
import { createStatementCache } from "./database.js";
import { decodeCursor, pageLimit } from "./pagination.js";

export type ListFilters = Record<string, string | undefined>;

/**
 * Newest-first keyset pagination over `table` by id. Only the filters actually given become
 * `WHERE` terms, so each combination gets its own (cached) statement that can use its index.
 * Returns up to `limit + 1` raw rows; see `toPage`.
 */
export function createListQuery(
  db: DatabaseSync,
  table: string,
): (filters: ListFilters, page: PageRequest) => unknown[] {
  const prepare = createStatementCache(db);
  return (filters, page) => {
    const terms: string[] = [];
    const params: SQLInputValue[] = [];
    for (const [column, value] of Object.entries(filters)) {
      if (value === undefined) continue;
      terms.push(`${column} = ?`);
      params.push(value);
    }
    const cursor = decodeCursor(page.cursor);
    if (cursor !== null) {
      terms.push("id < ?");
      params.push(cursor);
    }
    const where = terms.length > 0 ? `WHERE ${terms.join(" AND ")}` : "";
    const limit = pageLimit(page.limit);
    return prepare(`SELECT * FROM ${table} ${where} ORDER BY id DESC LIMIT ?`).all(...params, limit + 1);
  };
}
