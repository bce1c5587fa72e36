import { setTimeout as sleep } from "node:timers/promises";
import type { Logger, RunError } from "@agentrt/core";
import { linkedAbort } from "./abort-link.js";
import { TaskError, toStepError } from "./errors.js";
import { createStepError, isRetryable } from "./step-error.js";
import type { Step } from "./step-schema.js";
import { runStep } from "./steps/run-step.js";
import type { StepContext, StepUsage } from "./steps/step-context.js";

export interface AttemptPolicy {
  retryCount: number;
  retryBackoffMs: number;
  stepTimeoutMs: number;
}

export type StepOutcome =
  | { status: "succeeded"; output: unknown; usage: StepUsage | undefined; attempts: number }
  | { status: "failed"; error: RunError; attempts: number };

/** Settles with the promise, or rejects with the signal's reason as soon as it aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * Runs a step until it succeeds or its attempts run out. Each attempt gets its own timeout on top
 * of the run's signal; a retry waits `retryBackoffMs * 2^(n-1)`. When the run's signal aborts this
 * rejects with its reason: cancellation is not a step failure and is never retried.
 */
export async function runWithRetries(
  step: Step,
  ctx: Omit<StepContext, "signal"> & { signal: AbortSignal; logger: Logger },
  policy: AttemptPolicy,
): Promise<StepOutcome> {
  for (let attempt = 1; ; attempt++) {
    // Not AbortSignal.timeout: its timer can't be cleared, so every finished step would keep a
    // timer and signals alive for the whole step timeout (thousands of them at a high run rate).
    // One controller for both the run's signal and the attempt's timeout (see linkedAbort).
    const { controller, unlink } = linkedAbort(ctx.signal);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, policy.stepTimeoutMs);
    const { signal } = controller;
    let failure: unknown;
    try {
      const result = await raceAbort(runStep(step, { ...ctx, signal }), signal);
      return { status: "succeeded", output: result.output, usage: result.usage, attempts: attempt };
    } catch (error) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      failure = timedOut
        ? createStepError(
            TaskError.STEP_TIMEOUT,
            `step "${step.id}" timed out after ${policy.stepTimeoutMs / 1000}s`,
            {
              retryable: true,
            },
          )
        : error;
    } finally {
      clearTimeout(timer);
      unlink();
    }
    const error = toStepError(failure);
    if (attempt > policy.retryCount || !isRetryable(failure))
      return { status: "failed", error, attempts: attempt };
    const delay = policy.retryBackoffMs * 2 ** (attempt - 1);
    ctx.logger.warn(`step ${step.id} attempt ${attempt} failed; retrying in ${delay} ms`, { ...error });
    try {
      await sleep(delay, undefined, { signal: ctx.signal });
    } catch {
      throw ctx.signal.reason;
    }
  }
}
