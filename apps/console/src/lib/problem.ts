import type { Problem } from "@agentrt/client";

/** A refused call, carrying the server's problem (code, detail, field errors). */
export class ApiError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(problem.detail ?? problem.title ?? problem.code ?? "Request failed");
    this.problem = problem;
  }
}

/** `{ data, error }` of a client call → the data, or an ApiError to show. */
export function unwrap<T>(result: { data?: T; error?: unknown }): T {
  if (result.error !== undefined) throw new ApiError(result.error as Problem);
  return result.data as T;
}

export function describeError(error: unknown): string {
  if (error instanceof ApiError) return `${error.problem.code ?? "ERROR"}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

type FieldErrors = Record<string, string[]>;

/** The problem's field errors whose path starts with `prefix`, keyed by the rest of the path. */
export function fieldErrors(error: unknown, prefix: string[] = []): FieldErrors {
  const out: FieldErrors = {};
  if (!(error instanceof ApiError)) return out;
  for (const e of error.problem.errors ?? []) {
    const path = e.path.map(String);
    if (prefix.some((p, i) => path[i] !== p)) continue;
    const key = path.slice(prefix.length).join(".");
    out[key] = [...(out[key] ?? []), e.message];
  }
  return out;
}
