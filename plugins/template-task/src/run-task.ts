import { AgentrtError, ErrorCode, type KeySource, type RunContext, type TemplateEvent } from "@agentrt/core";
import type { EgressFetch } from "@agentrt/egress";
import { linkedAbort } from "./abort-link.js";
import type { TaskConfig } from "./config-schema.js";
import { reportedCode, TaskError } from "./errors.js";
import { formatOutput, type StepRecord } from "./format-output.js";
import type { TaskScope } from "./render.js";
import { type AttemptPolicy, runWithRetries, type StepOutcome } from "./run-attempts.js";
import type { Step } from "./step-schema.js";
import { inStepSpan } from "./tracing.js";

/** Everything a run needs, fixed when the agent is created. Times are in ms. */
export interface TaskPlan extends AttemptPolicy {
  steps: readonly Step[];
  /** Indices of the steps each step waits for (explicit `dependsOn` and referenced outputs). */
  dependencies: readonly (readonly number[])[];
  parallel: boolean;
  strict: boolean;
  outputFormat: TaskConfig["outputFormat"];
  maxResponseBytes: number;
  keySource: KeySource;
  /** `fetch` under the operator's egress policy. */
  fetch: EgressFetch;
}

type Settled = { index: number; outcome: StepOutcome };

function finishedEvent(step: Step, record: StepRecord, attempts?: number): TemplateEvent {
  const base = { type: "step.finished", stepId: step.id, status: record.status } as const;
  if (record.status === "succeeded") return { ...base, output: record.output, attempts };
  if (record.status === "failed") return { ...base, error: record.error, attempts };
  return base;
}

function toRecord(outcome: StepOutcome): StepRecord {
  return outcome.status === "succeeded"
    ? { status: "succeeded", output: outcome.output }
    : { status: "failed", error: outcome.error };
}

/**
 * Runs a task plan as an event stream. Steps start, in declared order, once everything they depend
 * on has finished: one at a time, or all ready ones at once in parallel mode. A failure either
 * stops the run (strict) or skips the failed step's dependents and carries on.
 */
export async function* runTask(
  plan: TaskPlan,
  input: unknown,
  runCtx: RunContext,
): AsyncGenerator<TemplateEvent> {
  const { steps, dependencies } = plan;
  const total = steps.length;
  // Aborted when the run ends early for any reason (its own signal too), so no step outlives the generator.
  const { controller: stop, unlink } = linkedAbort(runCtx.signal);
  const { signal } = stop;
  const scope: TaskScope = { input, steps: {} };
  const records: (StepRecord | undefined)[] = new Array(total).fill(undefined);
  const running = new Map<number, Promise<Settled>>();
  const concurrency = plan.parallel ? total : 1;
  let done = 0;

  const start = (index: number): Promise<Settled> => {
    const step = steps[index]!;
    const context = {
      scope,
      signal,
      keySource: plan.keySource,
      maxResponseBytes: plan.maxResponseBytes,
      fetch: plan.fetch,
      invokeAgent: runCtx.invokeAgent,
      logger: runCtx.logger,
    };
    const promise = inStepSpan(step, () => runWithRetries(step, context, plan)).then((outcome) => ({
      index,
      outcome,
    }));
    // Rejections are observed through Promise.race below; this only stops unhandled-rejection noise.
    promise.catch(() => {});
    return promise;
  };

  try {
    while (done < total) {
      // Skip steps that depend on a failed or skipped step; repeat, since a skip can cascade.
      for (let changed = true; changed; ) {
        changed = false;
        for (let i = 0; i < total; i++) {
          if (records[i] !== undefined || running.has(i)) continue;
          const blocker = dependencies[i]!.find(
            (d) => records[d] !== undefined && records[d].status !== "succeeded",
          );
          if (blocker === undefined) continue;
          const skipped: StepRecord = {
            status: "skipped",
            reason: `depends on step "${steps[blocker]!.id}", which did not succeed`,
          };
          records[i] = skipped;
          done++;
          changed = true;
          yield finishedEvent(steps[i]!, skipped);
          yield { type: "progress", done, total };
        }
      }
      for (let i = 0; i < total && running.size < concurrency; i++) {
        if (records[i] !== undefined || running.has(i)) continue;
        if (!dependencies[i]!.every((d) => records[d]?.status === "succeeded")) continue;
        yield {
          type: "step.started",
          stepId: steps[i]!.id,
          ...(steps[i]!.name ? { name: steps[i]!.name } : {}),
        };
        running.set(i, start(i));
      }
      // Unreachable for a validated plan (no cycles); guards against awaiting an empty race forever.
      if (running.size === 0)
        throw new AgentrtError(ErrorCode.INTERNAL, "no step can start: dependency cycle");

      const { index, outcome } = await Promise.race(running.values());
      running.delete(index);
      const step = steps[index]!;
      const record = toRecord(outcome);
      records[index] = record;
      done++;
      if (outcome.status === "succeeded") {
        scope.steps[step.id] = { output: outcome.output };
        if (outcome.usage) yield { type: "usage", ...outcome.usage };
      }
      yield finishedEvent(step, record, outcome.attempts);
      yield { type: "progress", done, total };

      if (outcome.status === "failed" && plan.strict) {
        // Parallel mode: abort the steps still running and report each one before failing the run.
        const message = `stopped because step "${step.id}" failed`;
        stop.abort(new AgentrtError(TaskError.STEP_FAILED, message));
        for (const [i, promise] of running) {
          const sibling = await promise.then(
            (settled) => toRecord(settled.outcome),
            (): StepRecord => ({
              status: "failed",
              error: { code: reportedCode(TaskError.STEP_FAILED), message },
            }),
          );
          yield finishedEvent(steps[i]!, sibling);
          yield { type: "progress", done: ++done, total };
        }
        throw new AgentrtError(TaskError.STEP_FAILED, `step "${step.id}" failed: ${outcome.error.message}`, {
          details: { stepId: step.id, code: outcome.error.code, attempts: outcome.attempts },
        });
      }
    }
  } catch (error) {
    throw runCtx.signal.aborted ? runCtx.signal.reason : error;
  } finally {
    unlink();
    stop.abort();
  }
  yield { type: "output", output: formatOutput(steps, records as StepRecord[], plan.outputFormat) };
}
