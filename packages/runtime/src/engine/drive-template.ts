import type { AgentInstance, RunContext } from "@agentrt/core";
import { AgentrtError, ErrorCode, type TemplateEvent, TemplateEventSchema } from "@agentrt/core";

export interface DriveOptions {
  instance: AgentInstance;
  input: unknown;
  ctx: RunContext;
  /** How long a template may keep going after `ctx.signal` fired before the engine walks away. */
  graceMs: number;
  /**
   * Stores one validated event. The next event is pulled without waiting for the store, so a burst
   * of events can be written together; at most MAX_UNSTORED are outstanding (back-pressure).
   * Promises must settle in call order. The drive may return before the last ones settle: the
   * journal writes a run's outstanding events before (or with) its end.
   */
  record(event: TemplateEvent): Promise<unknown>;
}

export interface DriveResult {
  /** The value of the last `output` event, or null when there was none. */
  output: unknown;
  /** True when the template ignored the abort and was left behind. */
  abandoned: boolean;
}

const ABANDONED = Symbol("abandoned");
const STORE_FAILED = Symbol("store failed");

/** How many events may wait for the store before the template is made to wait too. */
const MAX_UNSTORED = 64;

/**
 * Keeps track of `record` calls in flight. They settle in call order, so waiting for the latest
 * one waits for all. A failure is kept (never left unhandled), thrown by the next `add`, and
 * announced by `failed` so a template busy elsewhere is not waited for.
 */
function createRecorder(record: (event: TemplateEvent) => Promise<unknown>) {
  let latest: Promise<unknown> = Promise.resolve();
  let unstored = 0;
  let failure: { error: unknown } | undefined;
  let onFailure = () => {};
  const failed = new Promise<typeof STORE_FAILED>((resolve) => {
    onFailure = () => resolve(STORE_FAILED);
  });
  const check = () => {
    if (failure) throw failure.error;
  };
  return {
    failed,
    /** The error `failed` announced. */
    error: () => failure?.error,
    /**
     * Records an event; throws an earlier event's failure instead. Returns a wait only when too many
     * are unstored, so the common event costs no promise hop of its own.
     */
    add(event: TemplateEvent): Promise<void> | undefined {
      check();
      let stored: Promise<unknown>;
      try {
        stored = record(event);
      } catch (error) {
        // A record that throws fails the same way as one whose promise rejects.
        stored = Promise.reject(error);
      }
      latest = stored.catch((error: unknown) => {
        failure ??= { error };
        onFailure();
      });
      if (++unstored < MAX_UNSTORED) return undefined;
      return latest.then(() => {
        unstored = 0;
        check();
      });
    },
  };
}

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
 * The event contract's check. A streamed token is the one event a template yields many times per
 * run, so it is checked by hand: the same answer zod gives (a new object with only the contract's
 * fields), without zod's per-call work. Anything else, valid or not, goes to zod.
 */
function checkEvent(value: unknown): ReturnType<typeof TemplateEventSchema.safeParse> {
  const event = value as { type?: unknown; text?: unknown } | null;
  if (
    typeof event === "object" &&
    !Array.isArray(event) &&
    event?.type === "output.delta" &&
    typeof event.text === "string"
  ) {
    return { success: true, data: { type: "output.delta", text: event.text } };
  }
  return TemplateEventSchema.safeParse(value);
}

/**
 * Pulls a template's events one at a time, validates each against the event contract and records
 * it. Throws what the template throws, or TEMPLATE_INVALID for an event that breaks the contract.
 */
export async function driveTemplate(options: DriveOptions): Promise<DriveResult> {
  const { instance, input, ctx } = options;
  const iterator = instance.run(input, ctx)[Symbol.asyncIterator]();
  const abort = afterAbort(ctx.signal, options.graceMs);
  const recorder = createRecorder(options.record);
  // Not a Promise.race per event (an array and a reaction on each of three promises, ~800 bytes):
  // the pending wait is settled by whichever comes first, ~350 bytes per event (issue 22).
  let interrupted: typeof ABANDONED | typeof STORE_FAILED | undefined;
  let wake: (reason: typeof ABANDONED | typeof STORE_FAILED) => void = () => {};
  const interrupt = (reason: typeof ABANDONED | typeof STORE_FAILED) => {
    interrupted ??= reason;
    wake(interrupted);
  };
  void abort.promise.then(interrupt);
  void recorder.failed.then(interrupt);
  const nextStep = () =>
    interrupted ??
    new Promise<Awaited<ReturnType<typeof iterator.next>> | typeof ABANDONED | typeof STORE_FAILED>(
      (resolve, reject) => {
        wake = resolve;
        iterator.next().then(resolve, reject);
      },
    );
  let output: unknown = null;
  try {
    for (;;) {
      const step = await nextStep();
      if (step === STORE_FAILED) {
        // An event could not be stored: the run can't go on, so the template is stopped.
        closeQuietly(iterator);
        throw recorder.error();
      }
      if (step === ABANDONED) {
        closeQuietly(iterator);
        return { output, abandoned: true };
      }
      if (step.done) return { output, abandoned: false };
      const parsed = checkEvent(step.value);
      if (!parsed.success) {
        closeQuietly(iterator);
        const type = (step.value as { type?: unknown } | null)?.type;
        throw new AgentrtError(
          ErrorCode.TEMPLATE_INVALID,
          `the template yielded an invalid event (type ${JSON.stringify(type)}): ${parsed.error.issues[0]?.message ?? "invalid"}`,
        );
      }
      if (parsed.data.type === "output") output = parsed.data.output;
      try {
        const backPressure = recorder.add(parsed.data);
        if (backPressure) await backPressure;
      } catch (error) {
        closeQuietly(iterator);
        throw error;
      }
    }
  } finally {
    abort.stop();
  }
}
