import {
  type AgentInstance,
  ErrorCode,
  isAgentrtError,
  type Template,
  type TemplateContext,
  type TemplateEvent,
  TemplateEventSchema,
} from "@agentrt/core";
import { parseRunInput } from "@agentrt/runtime";
import { collectEvents } from "../collect-events.js";
import { createTestRunContext, createTestTemplateContext } from "../run-context.js";
import { validateConfig } from "./config-checks.js";

/** Event types that start new work or content: none may follow the run's `output`. */
const NOT_AFTER_OUTPUT = new Set<string>(["output", "output.delta", "step.started"]);

/** How long to wait for a first event before cancelling anyway. */
const CANCEL_AFTER_MS = 50;

export interface CancellationOptions {
  /** Bound between the abort and the end of the run (default 1000). */
  cancelWithinMs?: number;
  context?: Partial<TemplateContext>;
}

/** Validates the config like the server and creates an instance from the normalised result. */
export async function createCheckedInstance(
  template: Template,
  config: unknown,
  context: Partial<TemplateContext> = {},
): Promise<AgentInstance> {
  const normalised = await validateConfig(template, config, { ...context, phase: "create" });
  return template.create(normalised, createTestTemplateContext(context));
}

/**
 * Events of a successful run: each matches `TemplateEventSchema`, and exactly one is an `output`.
 * After the output only bookkeeping (`log`, `usage`, `progress`, `step.finished`) may follow.
 */
export function checkRunEvents(events: readonly unknown[]): TemplateEvent[] {
  const parsed = events.map((event, i) => {
    const result = TemplateEventSchema.safeParse(event);
    if (!result.success) {
      throw new Error(`event ${i} ${JSON.stringify(event)} is not a TemplateEvent: ${result.error.message}`);
    }
    return result.data;
  });
  const outputAt = parsed.findIndex((event) => event.type === "output");
  if (outputAt === -1) throw new Error(`the run yielded no output event (${parsed.length} events)`);
  for (let i = outputAt + 1; i < parsed.length; i++) {
    const type = parsed[i]!.type;
    if (NOT_AFTER_OUTPUT.has(type)) {
      throw new Error(
        type === "output"
          ? `the run yielded more than one output event (at ${outputAt} and ${i})`
          : `output must be the last meaningful event, but event ${i} (${type}) follows it`,
      );
    }
  }
  return parsed;
}

/** create → run(input) → collect: the run succeeds with well-formed events. Disposes the instance. */
export async function checkRun(
  template: Template,
  config: unknown,
  input: unknown,
  context?: Partial<TemplateContext>,
): Promise<TemplateEvent[]> {
  const instance = await createCheckedInstance(template, config, context);
  try {
    return checkRunEvents(
      await collectEvents(instance.run(parseRunInput(template, input), createTestRunContext())),
    );
  } finally {
    await instance.dispose?.();
  }
}

/** Whether an error is the run giving up because its signal fired (incl. wrapped in `cause`s). */
export function isAbortError(error: unknown, signal: AbortSignal): boolean {
  for (let current = error, depth = 0; current != null && depth < 5; depth++) {
    if (current === signal.reason) return true;
    if (isAgentrtError(current) && current.code === ErrorCode.RUN_CANCELLED) return true;
    const { name, code, cause } = current as { name?: unknown; code?: unknown; cause?: unknown };
    if (name === "AbortError" || code === "ABORT_ERR") return true;
    current = cause;
  }
  return false;
}

type Outcome = { ok: true } | { ok: false; error: unknown };

/**
 * Runs the slow input, aborts the signal after the first event (or 50 ms), and requires the
 * iterator to end, or throw an abort error, within `cancelWithinMs` of the abort.
 */
export async function checkCancellation(
  template: Template,
  config: unknown,
  slowInput: unknown,
  options: CancellationOptions = {},
): Promise<void> {
  const within = options.cancelWithinMs ?? 1000;
  const instance = await createCheckedInstance(template, config, options.context);
  const ctx = createTestRunContext();
  const abort = () => ctx.controller.abort();
  const abortTimer = setTimeout(abort, CANCEL_AFTER_MS);
  let deadline: NodeJS.Timeout | undefined;
  try {
    const aborted = new Promise<"aborted">((resolve) =>
      ctx.signal.addEventListener("abort", () => resolve("aborted"), { once: true }),
    );
    const drained = (async (): Promise<Outcome> => {
      try {
        for await (const _event of instance.run(parseRunInput(template, slowInput), ctx)) abort();
        return { ok: true };
      } catch (error) {
        return { ok: false, error };
      }
    })();

    const first = await Promise.race([aborted, drained]);
    if (first !== "aborted") {
      if (!first.ok) throw first.error;
      throw new Error(
        `the slow run finished before it could be cancelled; use a slowRunInput that runs longer than ${CANCEL_AFTER_MS} ms without events`,
      );
    }
    const late = new Promise<"late">((resolve) => {
      deadline = setTimeout(() => resolve("late"), within);
    });
    const outcome = await Promise.race([drained, late]);
    if (outcome === "late")
      throw new Error(`the run did not stop within ${within} ms of its signal aborting`);
    if (!outcome.ok && !isAbortError(outcome.error, ctx.signal)) {
      throw new Error(`the cancelled run threw a non-abort error: ${String(outcome.error)}`);
    }
  } finally {
    clearTimeout(abortTimer);
    clearTimeout(deadline);
    await instance.dispose?.();
  }
}

/** `dispose` (when the instance has one) resolves, and a second call does not throw. */
export async function checkDispose(instance: AgentInstance): Promise<void> {
  await instance.dispose?.();
  try {
    await instance.dispose?.();
  } catch (error) {
    throw new Error(`a second dispose() threw: ${String(error)}`);
  }
}
