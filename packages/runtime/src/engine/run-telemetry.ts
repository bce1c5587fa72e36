import {
  type Context,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import type { RunEventPayload, RunStatus } from "../run-events.js";
import type { RunRecord } from "../store.js";
import type { RunSource } from "./run-source.js";

/** What observers learn about a run: bounded facts, for metrics labels and usage statistics. */
export interface RunInfo {
  runId: string;
  agentId: string;
  agentName: string;
  template: string;
  templateVersion: string;
  revision: number;
  threadId: string | undefined;
}

/** How a run ended, as observers see it: `interrupted` is a run cut short by shutdown. */
export type RunEnding = Exclude<RunStatus, "queued" | "running"> | "interrupted";

/** How one webhook attempt went. */
export type WebhookOutcome = "delivered" | "rejected" | "failed" | "timed_out" | "refused";

/**
 * Hooks the host uses for metrics. Called synchronously on the engine's path: they only count.
 * Every hook is optional.
 */
export interface RunObserver {
  /** A run began executing; `waitedMs` is its time in the queue (unknown for recovered runs). */
  runStarted?(run: RunInfo, waitedMs: number | undefined): void;
  /** An event the run's template produced (steps, usage …), as it is recorded. */
  runEvent?(run: RunInfo, event: RunEventPayload): void;
  runFinished?(run: RunInfo, ending: RunEnding, durationMs: number): void;
  webhookAttempt?(outcome: WebhookOutcome): void;
}

/** One observer that tells each of `observers`, in order. */
export function combineObservers(...observers: RunObserver[]): RunObserver {
  return {
    runStarted: (run, waitedMs) => {
      for (const o of observers) o.runStarted?.(run, waitedMs);
    },
    runEvent: (run, event) => {
      for (const o of observers) o.runEvent?.(run, event);
    },
    runFinished: (run, ending, durationMs) => {
      for (const o of observers) o.runFinished?.(run, ending, durationMs);
    },
    webhookAttempt: (outcome) => {
      for (const o of observers) o.webhookAttempt?.(outcome);
    },
  };
}

/** The runtime's tracer; a no-op until the host registers an OpenTelemetry SDK. */
export const tracer = trace.getTracer("@agentrt/runtime");

/**
 * Runs store their submitter's trace context in W3C form, whatever propagators the host configured
 * for HTTP: the stored value only has to come back into this process or another agentrt node.
 */
const w3c = new W3CTraceContextPropagator();

/** The active span's context to store with a new run; nulls without a valid span (tracing off). */
export function storedTraceContext(from: Context = context.active()): {
  traceParent: string | null;
  traceState: string | null;
} {
  const carrier: Record<string, string> = {};
  // Injects nothing without a valid span context (tracing off), so this costs nothing then.
  w3c.inject(from, carrier, defaultTextMapSetter);
  return { traceParent: carrier.traceparent ?? null, traceState: carrier.tracestate ?? null };
}

/** The stored trace context of a run as a remote parent; undefined for a run stored without one. */
export function runTraceParent(run: Pick<RunRecord, "traceParent" | "traceState">): Context | undefined {
  if (!run.traceParent) return undefined;
  const carrier = { traceparent: run.traceParent, ...(run.traceState ? { tracestate: run.traceState } : {}) };
  return w3c.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
}

/** The telemetry of one run execution: its span and the observer calls. */
export interface RunProbe {
  /** The context the run executes in (its span active). */
  readonly context: Context;
  /** The source is known: the template, version and revision the run executes. */
  started(source: RunSource): void;
  event(event: RunEventPayload): void;
  /** The run's terminal record, or how it ended without one (shutdown, or its end not recorded). */
  finished(end: Pick<RunRecord, "status" | "error"> | "interrupted" | "failed"): void;
}

/**
 * Starts the span of a run under `parent` (the submitting request's span, stored with the run), so a
 * background run's spans join the trace of the request that created it, wherever it executes.
 *
 * Its attributes are set once, when the run ends, and only on a span that records: the SDK cleans
 * attributes given at the start twice, and before its sampler has decided, for nothing, as no
 * sampler the `OTEL_*` variables configure reads them.
 */
export function startRunProbe(
  job: { runId: string; agentId: string; threadId: string | null; queuedAt: number | undefined },
  parent: Context | undefined,
  observer: RunObserver | undefined,
): RunProbe {
  const began = performance.now();
  const span: Span = tracer.startSpan(
    "invoke_agent",
    { kind: SpanKind.INTERNAL },
    // A run stored without a trace context starts its own trace rather than joining whatever
    // context happens to be active where the queue starts it.
    parent ?? ROOT_CONTEXT,
  );
  let info: RunInfo | undefined;
  return {
    context: trace.setSpan(parent ?? ROOT_CONTEXT, span),
    started(source) {
      info = {
        runId: job.runId,
        agentId: job.agentId,
        agentName: source.agent.name,
        template: source.template.name,
        templateVersion: source.template.version,
        revision: source.revision,
        threadId: job.threadId ?? undefined,
      };
      if (span.isRecording()) span.updateName(`invoke_agent ${source.agent.name}`);
      observer?.runStarted?.(info, job.queuedAt === undefined ? undefined : began - job.queuedAt);
    },
    event(event) {
      if (info) observer?.runEvent?.(info, event);
    },
    finished(end) {
      const ending = (typeof end === "string" ? end : end.status) as RunEnding;
      const error = typeof end === "string" ? null : end.error;
      if (span.isRecording()) {
        span.setAttribute("gen_ai.operation.name", "invoke_agent");
        span.setAttribute("gen_ai.agent.id", job.agentId);
        span.setAttribute("agentrt.run.id", job.runId);
        if (job.threadId) span.setAttribute("agentrt.thread.id", job.threadId);
        // Unknown when the run ended before its source was resolved.
        if (info) {
          span.setAttribute("gen_ai.agent.name", info.agentName);
          span.setAttribute("agentrt.template.name", info.template);
          span.setAttribute("agentrt.template.version", info.templateVersion);
          span.setAttribute("agentrt.agent.revision", info.revision);
        }
        span.setAttribute("agentrt.run.status", ending);
        if (error) {
          span.setAttribute("error.type", error.code);
          span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
        }
      }
      span.end();
      if (info) observer?.runFinished?.(info, ending, performance.now() - began);
    },
  };
}
