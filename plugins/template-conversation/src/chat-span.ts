import { setModelCallAttributes } from "@agentrt/core";
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
 * The span of one model call, a child of the run's span (the template runs in the run's context).
 * Its GenAI attributes are set when it ends, on a span that records (see `setModelCallAttributes`).
 */
export function startChatSpan(model: string, url: URL): ChatSpan {
  const span = tracer.startSpan(`chat ${model}`, { kind: SpanKind.CLIENT });
  return {
    end(outcome, error) {
      if (span.isRecording()) {
        setModelCallAttributes(span, { model, url, ...outcome, error });
        if (error !== undefined)
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      }
      span.end();
    },
  };
}
