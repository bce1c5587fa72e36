import { AgentrtError, ErrorCode } from "@agentrt/core";

/** The provider answered with an error status; `message` is the provider's own when it sent one. */
export function upstreamStatusError(status: number, message: string): AgentrtError {
  return new AgentrtError(ErrorCode.UPSTREAM_ERROR, `model provider answered ${status}: ${message}`, {
    details: { status },
  });
}

export function upstreamTimeoutError(timeoutMs: number): AgentrtError {
  return new AgentrtError(
    ErrorCode.UPSTREAM_ERROR,
    `model provider did not answer in time (${timeoutMs} ms)`,
    { details: { reason: "timeout" } },
  );
}

/** A failed connection (refused, reset, DNS): `fetch` says only "fetch failed", the cause says why. */
export function upstreamConnectionError(error: unknown): AgentrtError {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const why = cause instanceof Error ? cause.message : String(cause);
  return new AgentrtError(ErrorCode.UPSTREAM_ERROR, `cannot reach the model provider: ${why}`, {
    details: { reason: "connection" },
    cause: error,
  });
}

/** The stream broke off, or carried something that is not an OpenAI chunk (an `error` object, bad JSON). */
export function upstreamStreamError(message: string, cause?: unknown): AgentrtError {
  return new AgentrtError(ErrorCode.UPSTREAM_ERROR, `model provider stream failed: ${message}`, {
    details: { reason: "stream" },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The message of an OpenAI-style error body (`{ error: { message } }`), or the body text itself. */
export function providerMessage(body: string): string {
  try {
    const message = (JSON.parse(body) as { error?: { message?: unknown } } | null)?.error?.message;
    if (typeof message === "string" && message !== "") return message;
  } catch {
    // Not JSON: the text says it best.
  }
  return body.trim().slice(0, 500) || "(empty response)";
}
