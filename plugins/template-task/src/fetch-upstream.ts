import { ErrorCode } from "@agentrt/core";
import { type EgressFetch, isEgressError } from "@agentrt/egress";
import { TaskError } from "./errors.js";
import { readResponseBody } from "./read-body.js";
import { createStepError } from "./step-error.js";

export interface UpstreamRequest {
  url: string;
  method: string;
  headers: Headers;
  body: string | undefined;
  signal: AbortSignal;
  maxResponseBytes: number;
  /** `fetch` under the operator's egress policy. */
  fetch: EgressFetch;
}

function parseHttpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch (error) {
    throw createStepError(TaskError.STEP_FAILED, `"${text}" is not a URL`, {
      retryable: false,
      cause: error,
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw createStepError(TaskError.STEP_FAILED, `"${text}" is not an http(s) URL`, { retryable: false });
  }
  return url;
}

/** Statuses worth another attempt: server errors, request timeout and rate limiting. */
function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** fetch rejects with "fetch failed"; the cause says why (checked by shape, not `instanceof`). */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { message?: unknown } } | null)?.cause;
  return typeof cause?.message === "string" ? cause.message : String(error);
}

function describe(body: unknown): string {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * One HTTP exchange with an upstream service: maps network failures and non-2xx statuses to step
 * errors and returns the (size-limited, JSON-parsed when JSON) body. Aborts propagate untouched so
 * the caller can tell a timeout from a cancellation.
 */
export async function fetchUpstream(request: UpstreamRequest): Promise<unknown> {
  const url = parseHttpUrl(request.url);
  let response: Response;
  try {
    response = await request.fetch(url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: request.signal,
    });
  } catch (error) {
    if (request.signal.aborted) throw error;
    // A refusal names the rule and the range, never what a name resolved to.
    if (isEgressError(error)) {
      throw createStepError(
        TaskError.URL_NOT_ALLOWED,
        `${request.method} ${url.origin}${url.pathname} refused by the egress policy: ${error.message}`,
        { retryable: false, details: { rule: error.reason, ...(error.range ? { range: error.range } : {}) } },
      );
    }
    const reason = networkReason(error);
    throw createStepError(
      ErrorCode.UPSTREAM_ERROR,
      `${request.method} ${url.origin}${url.pathname} failed: ${reason}`,
      {
        retryable: true,
        cause: error,
      },
    );
  }
  const body = await readResponseBody(response, request.maxResponseBytes);
  if (!response.ok) {
    throw createStepError(
      ErrorCode.UPSTREAM_ERROR,
      `${request.method} ${url.origin}${url.pathname} answered ${response.status}: ${describe(body)}`,
      { retryable: isTransientStatus(response.status), details: { status: response.status } },
    );
  }
  return body;
}
