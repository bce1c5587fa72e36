import { type Attributes, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Step } from "./step-schema.js";

/** A no-op until the host registers an OpenTelemetry SDK. */
const tracer = trace.getTracer("@agentrt/template-task");

/**
 * Ends `span` with its attributes, set in one call and only on a span that records: the SDK cleans
 * attributes given at the start twice, and before its sampler has decided, for nothing, as no
 * sampler the `OTEL_*` variables configure reads them.
 */
function endSpan(span: Span, attributes: () => Attributes, error?: { code?: string; message: string }): void {
  if (span.isRecording()) {
    span.setAttributes({ ...attributes(), ...(error ? { "error.type": error.code ?? "Error" } : {}) });
    if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  }
  span.end();
}

const stepAttributes = (step: Step, status?: string): Attributes => ({
  "agentrt.step.id": step.id,
  "agentrt.step.kind": step.kind,
  ...(status ? { "agentrt.step.status": status } : {}),
});

/**
 * Runs one step (all its attempts) in its own span, active while it runs, so the spans of its
 * model calls are its children.
 */
export function inStepSpan<T extends { status: string; error?: { code: string; message: string } }>(
  step: Step,
  work: () => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(`step ${step.id}`, async (span) => {
    try {
      const outcome = await work();
      endSpan(span, () => stepAttributes(step, outcome.status), outcome.error);
      return outcome;
    } catch (error) {
      endSpan(span, () => stepAttributes(step), error as Error);
      throw error;
    }
  });
}

/** What a model call's span records when it ends (OpenTelemetry GenAI semantic conventions). */
export interface ModelCallResult {
  usage?: { promptTokens: number; completionTokens: number } | undefined;
  finishReason?: string | null | undefined;
}

function modelCallAttributes(model: string, url: string, result?: ModelCallResult): Attributes {
  const { hostname, port } = new URL(url);
  return {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "openai",
    "gen_ai.request.model": model,
    "server.address": hostname,
    ...(port ? { "server.port": Number(port) } : {}),
    ...(result?.usage
      ? {
          "gen_ai.usage.input_tokens": result.usage.promptTokens,
          "gen_ai.usage.output_tokens": result.usage.completionTokens,
        }
      : {}),
    ...(result?.finishReason ? { "gen_ai.response.finish_reasons": [result.finishReason] } : {}),
  };
}

/** Runs one chat completion request in a GenAI client span. */
export function inModelCallSpan<T>(
  model: string,
  url: string,
  work: () => Promise<{ value: T; result: ModelCallResult }>,
): Promise<T> {
  return tracer.startActiveSpan(`chat ${model}`, { kind: SpanKind.CLIENT }, async (span) => {
    try {
      const { value, result } = await work();
      endSpan(span, () => modelCallAttributes(model, url, result));
      return value;
    } catch (error) {
      endSpan(span, () => modelCallAttributes(model, url), error as Error);
      throw error;
    }
  });
}
