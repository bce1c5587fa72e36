import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";

/** A no-op until the host registers an OpenTelemetry SDK. */
const tracer = trace.getTracer("@agentrt/template-conversation");

/** What the span learns as the reply streams in. */
export interface ChatOutcome {
  usage?: { promptTokens: number; completionTokens: number };
  finishReason?: string | undefined;
}

/** The span of one model call, ended once with what the call learned. */
export interface ChatSpan {
  end(outcome: ChatOutcome, error?: unknown): void;
}

/**
 * The span of one model call, with the OpenTelemetry GenAI semantic conventions' attributes; a
 * child of the run's span (the template runs in the run's context). Its attributes are set once,
 * at the end, and only on a span that records: the SDK cleans attributes given at the start twice,
 * and before its sampler has decided, for nothing, as no sampler the `OTEL_*` variables configure
 * reads them.
 */
export function startChatSpan(model: string, url: URL): ChatSpan {
  const span = tracer.startSpan(`chat ${model}`, { kind: SpanKind.CLIENT });
  return {
    end(outcome, error) {
      if (span.isRecording()) {
        span.setAttributes({
          "gen_ai.operation.name": "chat",
          "gen_ai.provider.name": "openai",
          "gen_ai.request.model": model,
          "server.address": url.hostname,
          ...(url.port ? { "server.port": Number(url.port) } : {}),
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
        if (error !== undefined)
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      }
      span.end();
    },
  };
}
