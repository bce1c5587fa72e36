import { type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";

/** A no-op until the host registers an OpenTelemetry SDK. */
const tracer = trace.getTracer("@agentrt/template-conversation");

/** What the span learns as the reply streams in. */
export interface ChatOutcome {
  usage?: { promptTokens: number; completionTokens: number };
  finishReason?: string | undefined;
}

/**
 * The span of one model call, with the OpenTelemetry GenAI semantic conventions' attributes; a
 * child of the run's span (the template runs in the run's context).
 */
export function startChatSpan(model: string, url: URL): Span {
  return tracer.startSpan(`chat ${model}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": model,
      "server.address": url.hostname,
      ...(url.port ? { "server.port": Number(url.port) } : {}),
    },
  });
}

export function endChatSpan(span: Span, outcome: ChatOutcome, error?: unknown): void {
  // One call: each validates and copies what it is given.
  span.setAttributes({
    ...(outcome.usage
      ? {
          "gen_ai.usage.input_tokens": outcome.usage.promptTokens,
          "gen_ai.usage.output_tokens": outcome.usage.completionTokens,
        }
      : {}),
    ...(outcome.finishReason ? { "gen_ai.response.finish_reasons": [outcome.finishReason] } : {}),
    ...(error === undefined
      ? {}
      : { "error.type": (error as { code?: string }).code ?? (error as Error).name ?? "Error" }),
  });
  if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
  span.end();
}
