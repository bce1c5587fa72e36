import { type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Step } from "./step-schema.js";

/** A no-op until the host registers an OpenTelemetry SDK. */
const tracer = trace.getTracer("@agentrt/template-task");

function failed(span: Span, error: { code?: string; message: string }): void {
  span.setAttribute("error.type", error.code ?? "Error");
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}

/**
 * Runs one step (all its attempts) in its own span, active while it runs, so the spans of its
 * model calls are its children.
 */
export function inStepSpan<T extends { status: string; error?: { code: string; message: string } }>(
  step: Step,
  work: () => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(
    `step ${step.id}`,
    { attributes: { "agentrt.step.id": step.id, "agentrt.step.kind": step.kind } },
    async (span) => {
      try {
        const outcome = await work();
        span.setAttribute("agentrt.step.status", outcome.status);
        if (outcome.error) failed(span, outcome.error);
        return outcome;
      } catch (error) {
        failed(span, error as Error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

/** What a model call's span records when it ends (OpenTelemetry GenAI semantic conventions). */
export interface ModelCallResult {
  usage?: { promptTokens: number; completionTokens: number } | undefined;
  finishReason?: string | null | undefined;
}

/** Runs one chat completion request in a GenAI client span. */
export function inModelCallSpan<T>(
  model: string,
  url: string,
  work: () => Promise<{ value: T; result: ModelCallResult }>,
): Promise<T> {
  return tracer.startActiveSpan(
    `chat ${model}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": model,
      },
    },
    async (span) => {
      // Parsing the URL per call is only worth it for a span that records (tracing on and sampled).
      if (span.isRecording()) {
        const { hostname, port } = new URL(url);
        span.setAttributes({ "server.address": hostname, ...(port ? { "server.port": Number(port) } : {}) });
      }
      try {
        const { value, result } = await work();
        if (result.usage) {
          span.setAttributes({
            "gen_ai.usage.input_tokens": result.usage.promptTokens,
            "gen_ai.usage.output_tokens": result.usage.completionTokens,
          });
        }
        if (result.finishReason) span.setAttribute("gen_ai.response.finish_reasons", [result.finishReason]);
        return value;
      } catch (error) {
        failed(span, error as Error);
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
