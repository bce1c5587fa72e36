import { type AgentrtError, ErrorCode, isErrorCode } from "@agentrt/core";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type OpenAiError, statusOf, type TemplateStatusLookup } from "../../lib/problem.js";

export interface RunFailureAnswer {
  status: ContentfulStatusCode;
  body: OpenAiError;
  headers: Record<string, string>;
}

/** Set by `chatReader` on the error of a run that was started. */
interface RunFailureMark {
  acted: boolean;
}

function runFailureMark(error: AgentrtError): RunFailureMark | undefined {
  const mark = error.details?.runFailure;
  return typeof mark === "object" && mark !== null ? (mark as RunFailureMark) : undefined;
}

/**
 * How a chat completion answers a run that failed, or `undefined` when the error is not a run's
 * failure. OpenAI SDKs retry 408, 409, 429 and 5xx unless `x-should-retry` says otherwise, and a
 * retry is a new run: what the failed run did (an http step, a paid model call) would happen again.
 * So a started run is answered `x-should-retry: false`, and a failure that is the run's own (the
 * template failed) gets 422 rather than a 5xx, for clients that ignore the header. The exception:
 * the model provider could not be reached before the run did anything, so nothing happened and a
 * retry is safe (502, `x-should-retry: true`).
 */
export function runFailureAnswer(
  error: AgentrtError,
  /** The stored run's id; none for an unstored one. */
  runId: string | undefined,
  templateStatus: TemplateStatusLookup,
): RunFailureAnswer | undefined {
  const mark = runFailureMark(error);
  if (!mark) return undefined;
  const unreachable =
    error.code === ErrorCode.UPSTREAM_ERROR && error.details?.reason === "connection" && !mark.acted;
  const declared = statusOf(error.code, templateStatus);
  const templateFailed = error.code === ErrorCode.RUN_FAILED || !isErrorCode(error.code);
  const status: ContentfulStatusCode = templateFailed && declared >= 500 ? 422 : declared;
  return {
    status,
    body: {
      error: {
        message: error.message,
        type: status >= 500 ? "server_error" : "run_error",
        param: null,
        code: error.code.toLowerCase(),
      },
    },
    headers: {
      ...(runId ? { "x-agentrt-run-id": runId } : {}),
      "x-should-retry": unreachable ? "true" : "false",
    },
  };
}
