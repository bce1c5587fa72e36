import { AgentrtError, ErrorCode } from "@agentrt/core";
import type { Page } from "@agentrt/runtime";

/**
 * A cursor is the key of the last item handed out (an id, or a revision number), the same scheme
 * as core's in-memory store, so the two stores are interchangeable behind the API. Clients treat
 * it as opaque.
 */
export function decodeCursor(cursor: string | undefined): string | null {
  return cursor === undefined || cursor === "" ? null : cursor;
}

/** For pages keyed by an integer (revisions). */
export function decodeIntegerCursor(cursor: string | undefined): number | null {
  const key = decodeCursor(cursor);
  if (key === null) return null;
  const value = Number(key);
  if (!/^\d+$/.test(key) || !Number.isSafeInteger(value)) {
    throw new AgentrtError(ErrorCode.BAD_REQUEST, "Invalid pagination cursor", { details: { cursor } });
  }
  return value;
}

/** At least one row per page, whatever the caller asked for. */
export function pageLimit(limit: number): number {
  return Math.max(1, Math.trunc(limit));
}

/** Turns `limit + 1` fetched rows into a page; the extra row only signals that more exist. */
export function toPage<T>(rows: T[], limit: number, keyOf: (item: T) => string | number): Page<T> {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: String(keyOf(items[items.length - 1]!)) };
}
