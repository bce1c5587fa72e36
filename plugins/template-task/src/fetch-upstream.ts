import { ErrorCode } from "@agentrt/core";
import { type HttpRequest, HttpRequestError, sendHttpRequest } from "@agentrt/egress";
import { TaskError } from "./errors.js";
import { createStepError } from "./step-error.js";

export type UpstreamRequest = HttpRequest;

/** Statuses worth another attempt: server errors, request timeout and rate limiting. */
function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

function describe(body: unknown): string {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** The shared exchange's failure as a step error: only a network failure is worth another attempt. */
function toStepError(error: HttpRequestError): Error {
  switch (error.reason) {
    case "url":
      return createStepError(TaskError.STEP_FAILED, error.message, { retryable: false, cause: error });
    case "refused":
      return createStepError(TaskError.URL_NOT_ALLOWED, error.message, {
        retryable: false,
        details: { rule: error.rule, ...(error.range ? { range: error.range } : {}) },
      });
    case "network":
      return createStepError(ErrorCode.UPSTREAM_ERROR, error.message, { retryable: true, cause: error });
    case "too_large":
      return createStepError(ErrorCode.RESPONSE_TOO_LARGE, error.message, { retryable: false });
    default:
      return createStepError(ErrorCode.UPSTREAM_ERROR, error.message, { retryable: false, cause: error });
  }
}

/**
 * One HTTP exchange with an upstream service through the shared `sendHttpRequest` (egress policy,
 * bounded body): maps its failures and non-2xx statuses to step errors and returns the body.
 * Aborts propagate untouched so the caller can tell a timeout from a cancellation.
 */
export async function fetchUpstream(request: UpstreamRequest): Promise<unknown> {
  let answer: Awaited<ReturnType<typeof sendHttpRequest>>;
  try {
    answer = await sendHttpRequest(request);
  } catch (error) {
    throw error instanceof HttpRequestError ? toStepError(error) : error;
  }
  if (!answer.ok) {
    const url = new URL(request.url);
    throw createStepError(
      ErrorCode.UPSTREAM_ERROR,
      `${request.method} ${url.origin}${url.pathname} answered ${answer.status}: ${describe(answer.body)}`,
      { retryable: isTransientStatus(answer.status), details: { status: answer.status } },
    );
  }
  return answer.body;
}
