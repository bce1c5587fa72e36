import type { RunContext, TemplateEvent } from "@agentrt/core";
import type { CompiledCode, SandboxLimits, SandboxPool } from "@agentrt/sandbox";
import { context, SpanStatusCode, trace } from "@opentelemetry/api";
import { createAsyncQueue } from "./async-queue.js";
import { toProgressCount } from "./progress-count.js";

/** A no-op until the host registers an OpenTelemetry SDK. */
const tracer = trace.getTracer("@agentrt/template-custom");

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
  ctx: Pick<RunContext, "signal" | "agentId">,
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
        span.setAttribute("error.type", (error as { code?: string }).code ?? "Error");
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
