import { ErrorCode } from "@agentrt/core";
import type { Context } from "hono";
import { createProblem, problemResponse } from "./problem.js";

interface RouteEntry {
  method: string;
  path: string;
}

/** `/v1/agents/:agent` → a pattern matching one segment per parameter. */
function patternOf(path: string): RegExp {
  const escaped = path
    .split("/")
    .map((segment) => (segment.startsWith(":") ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${escaped}$`);
}

/**
 * The not-found handler of an app whose routes are all registered: a known path asked with a
 * method it does not serve is a 405 naming the methods it does (`Allow`), anything else a 404.
 * Middleware (`ALL`, wildcard paths) is not a route and allows nothing.
 */
export function createNotFoundHandler(routes: readonly RouteEntry[], notFound: (c: Context) => Response) {
  const byPath = new Map<string, { pattern: RegExp; methods: Set<string> }>();
  for (const { method, path } of routes) {
    if (method === "ALL" || path.includes("*")) continue;
    const entry = byPath.get(path) ?? { pattern: patternOf(path), methods: new Set<string>() };
    entry.methods.add(method);
    if (method === "GET") entry.methods.add("HEAD");
    byPath.set(path, entry);
  }
  const entries = [...byPath.values()];
  return (c: Context): Response => {
    const allowed = new Set<string>();
    for (const { pattern, methods } of entries)
      if (pattern.test(c.req.path)) for (const method of methods) allowed.add(method);
    if (allowed.size === 0) return notFound(c);
    const allow = [...allowed].sort().join(", ");
    c.header("allow", allow);
    return problemResponse(
      c,
      createProblem(
        ErrorCode.METHOD_NOT_ALLOWED,
        `${c.req.method} is not allowed on ${c.req.path}; use ${allow}`,
      ),
    );
  };
}
