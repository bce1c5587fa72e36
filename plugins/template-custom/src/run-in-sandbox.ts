import type { RunContext, TemplateEvent } from "@agentrt/core";
import type { CompiledCode, SandboxLimits, SandboxPool } from "@agentrt/sandbox";
import { context, SpanStatusCode, trace } from "@opentelemetry/api";
import { createAsyncQueue } from "./async-queue.js";
import { toProgressCount } from "./progress-count.js";

/** A no-op until the host registers an OpenTelemetry SDK. */
const tracer = trace.getTracer("@agentrt/template-custom");

/**
 * The sandbox failures the host caused or saw (a kill at the time or memory limit, a crashed
 * process), worth an operator's attention; the code's own errors are the run's business only.
 */
const HOST_EVENTS: ReadonlySet<string> = new Set(["TIMEOUT", "MEMORY_LIMIT", "SANDBOX_CRASHED"]);

/**
 * Runs compiled code once and streams what it reports: `log` and `progress` events as they
 * happen, then one `output` event. Sandbox errors (TIMEOUT, MEMORY_LIMIT, USER_CODE_ERROR, ...)
 * are rethrown unchanged so the engine records their codes. A consumer that stops early cancels
 * the run.
 */
export async function* runInSandbox(
  pool: SandboxPool,
  compiled: CompiledCode,
  limits: Partial<SandboxLimits>,
  input: unknown,
  ctx: Pick<RunContext, "signal" | "agentId" | "logger">,
): AsyncGenerator<TemplateEvent> {
  const queue = createAsyncQueue<TemplateEvent>();
  const stop = new AbortController();
  const span = tracer.startSpan("sandbox.run", {
    attributes: { "agentrt.sandbox.language": compiled.language },
  });
  // Active while the pool runs the code, so the calls the code makes (fetch) are its children.
  context
    .with(trace.setSpan(context.active(), span), () =>
      pool.run({
        compiled,
        input,
        // Python interpreters are bound to one agent: another agent's code can never reach its runs.
        isolationKey: ctx.agentId,
        limits,
        signal: AbortSignal.any([ctx.signal, stop.signal]),
        onLog: (line) => queue.push({ type: "log", level: "info", message: line }),
        onProgress: (done, total) =>
          queue.push({ type: "progress", done: toProgressCount(done), total: toProgressCount(total) }),
      }),
    )
    .then(
      ({ result }) => {
        span.end();
        queue.push({ type: "output", output: result });
        queue.end();
      },
      (error: unknown) => {
        const code = (error as { code?: string }).code ?? "Error";
        // Logged in the run's context, so the line carries its run, request and trace ids. Only the
        // code and the host's message: details and the code's output (its log events) may hold
        // whatever the code printed, secrets included, and stay out of the host's log.
        if (HOST_EVENTS.has(code))
          ctx.logger.warn("sandbox run stopped", { code, reason: (error as Error).message });
        span.setAttribute("error.type", code);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        span.end();
        queue.fail(error);
      },
    );
  try {
    yield* queue;
  } finally {
    stop.abort();
  }
}
