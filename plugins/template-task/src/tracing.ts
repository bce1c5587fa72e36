import { type ModelCall, setModelCallAttributes } from "@agentrt/core";
import { type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Step } from "./step-schema.js";

/** A no-op until the host registers an OpenTelemetry SDK. */
const tracer = trace.getTracer("@agentrt/template-task");

/**
 * Spans get their attributes when they end, and only when they record: no sampler the `OTEL_*`
 * variables configure reads attributes, and the SDK cleans those given at the start twice, before
 * its sampler has decided.
 */
function endSpan(span: Span, describe: (span: Span) => void, error?: { message: string }): void {
  if (span.isRecording()) {
    describe(span);
    if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  }
  span.end();
}

const stepAttributes =
  (step: Step, status?: string, error?: { code?: string }) =>
  (span: Span): void => {
    span.setAttribute("agentrt.step.id", step.id);
    span.setAttribute("agentrt.step.kind", step.kind);
    if (status) span.setAttribute("agentrt.step.status", status);
    if (error) span.setAttribute("error.type", error.code ?? "Error");
  };

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
      endSpan(span, stepAttributes(step, outcome.status, outcome.error), outcome.error);
      return outcome;
    } catch (error) {
      endSpan(span, stepAttributes(step, undefined, error as { code?: string }), error as Error);
      throw error;
    }
  });
}

/** What a model call's span records when it ends (OpenTelemetry GenAI semantic conventions). */
export type ModelCallResult = Pick<ModelCall, "usage" | "finishReason">;

/** Runs one chat completion request in a GenAI client span. */
export function inModelCallSpan<T>(
  model: string,
  url: string,
  work: () => Promise<{ value: T; result: ModelCallResult }>,
): Promise<T> {
  return tracer.startActiveSpan(`chat ${model}`, { kind: SpanKind.CLIENT }, async (span) => {
    try {
      const { value, result } = await work();
      endSpan(span, (s) => setModelCallAttributes(s, { model, url, ...result }));
      return value;
    } catch (error) {
      endSpan(span, (s) => setModelCallAttributes(s, { model, url, error }), error as Error);
      throw error;
    }
  });
}
