import { AgentrtError, ErrorCode, isAgentrtError } from "@agentrt/core";

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && chain.length < 10; ) {
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

function numericStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

/**
 * Maps what a model call threw to agentrt's terms. Provider HTTP errors, timeouts and connection
 * failures become UPSTREAM_ERROR (status in details); an AgentrtError anywhere in the cause chain
 * (e.g. an unset key raised inside the client) wins; aborts and bugs pass through unchanged.
 */
export function toUpstreamError(error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return error;
  const chain = causes(error);
  const own = chain.find(isAgentrtError);
  if (own) return own;
  for (const link of chain) {
    const status = numericStatus(link);
    if (status !== undefined) {
      const message = link instanceof Error ? link.message : String(link);
      return new AgentrtError(ErrorCode.UPSTREAM_ERROR, `model provider answered ${status}: ${message}`, {
        details: { status },
        cause: error,
      });
    }
    const name = link instanceof Error ? link.name : "";
    const kind = link instanceof Error ? link.constructor.name : "";
    if (name === "TimeoutError" || kind === "APIConnectionTimeoutError") {
      return new AgentrtError(ErrorCode.UPSTREAM_ERROR, "model provider did not answer in time", {
        details: { reason: "timeout" },
        cause: error,
      });
    }
    if (kind === "APIConnectionError") {
      return new AgentrtError(
        ErrorCode.UPSTREAM_ERROR,
        `cannot reach the model provider: ${(link as Error).message}`,
        {
          details: { reason: "connection" },
          cause: error,
        },
      );
    }
  }
  return error;
}
