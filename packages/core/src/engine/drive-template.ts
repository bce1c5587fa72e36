import { AgentrtError, ErrorCode } from "../errors.js";
import { type TemplateEvent, TemplateEventSchema } from "../events.js";
import type { AgentInstance, RunContext } from "../template.js";

export interface DriveOptions {
  instance: AgentInstance;
  input: unknown;
  ctx: RunContext;
  /** How long a template may keep going after `ctx.signal` fired before the engine walks away. */
  graceMs: number;
  /** Stores one validated event; awaited before the next one is pulled (back-pressure). */
  record(event: TemplateEvent): Promise<void>;
}

export interface DriveResult {
  /** The value of the last `output` event, or null when there was none. */
  output: unknown;
  /** True when the template ignored the abort and was left behind. */
  abandoned: boolean;
}

const ABANDONED = Symbol("abandoned");

/** Resolves `graceMs` after the signal fires, so a template that ignores the abort can't hold the run. */
function afterAbort(
  signal: AbortSignal,
  graceMs: number,
): { promise: Promise<typeof ABANDONED>; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let onAbort = () => {};
  const promise = new Promise<typeof ABANDONED>((resolve) => {
    onAbort = () => {
      timer = setTimeout(() => resolve(ABANDONED), graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  return {
    promise,
    stop() {
      signal.removeEventListener("abort", onAbort);
      clearTimeout(timer);
    },
  };
}

function closeQuietly(iterator: AsyncIterator<unknown>): void {
  // Not awaited: a template stuck in `next()` would also be stuck in `return()`.
  iterator.return?.().catch(() => {});
}

/**
 * Pulls a template's events one at a time, validates each against the event contract and records
 * it. Throws what the template throws, or TEMPLATE_INVALID for an event that breaks the contract.
 */
export async function driveTemplate(options: DriveOptions): Promise<DriveResult> {
  const { instance, input, ctx } = options;
  const iterator = instance.run(input, ctx)[Symbol.asyncIterator]();
  const abort = afterAbort(ctx.signal, options.graceMs);
  let output: unknown = null;
  try {
    for (;;) {
      const step = await Promise.race([iterator.next(), abort.promise]);
      if (step === ABANDONED) {
        closeQuietly(iterator);
        return { output, abandoned: true };
      }
      if (step.done) return { output, abandoned: false };
      const parsed = TemplateEventSchema.safeParse(step.value);
      if (!parsed.success) {
        closeQuietly(iterator);
        const type = (step.value as { type?: unknown } | null)?.type;
        throw new AgentrtError(
          ErrorCode.TEMPLATE_INVALID,
          `the template yielded an invalid event (type ${JSON.stringify(type)}): ${parsed.error.issues[0]?.message ?? "invalid"}`,
        );
      }
      if (parsed.data.type === "output") output = parsed.data.output;
      await options.record(parsed.data);
    }
  } finally {
    abort.stop();
  }
}
