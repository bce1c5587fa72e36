import { AgentrtError, ErrorCode } from "../errors.js";
import {
  type RunError,
  type RunEventPayload,
  type StoredRunEvent,
  TERMINAL_RUN_STATUSES,
} from "../events.js";
import { nowIso } from "../ids.js";
import type { RunPatch, RunRecord, Store } from "../store.js";
import type { EventHub } from "./event-hub.js";

/** How a run ended. Only a success carries output; every other ending carries a coded error. */
export type RunOutcome =
  | { status: "succeeded"; output: unknown }
  | { status: "failed" | "cancelled" | "timed_out"; error: RunError };

/**
 * The only writer of run rows and run events. Writes for one run are chained, so events keep the
 * order they were produced in even when several parties (executor, cancel, webhooks) write at once;
 * each stored event is then published to the hub, in `seq` order.
 */
export interface RunJournal {
  append(runId: string, payload: RunEventPayload): Promise<StoredRunEvent>;
  update(runId: string, patch: RunPatch): Promise<RunRecord>;
  /**
   * Ends a run: an `error` event for failures, exactly one `run.finished`, then the terminal row.
   * A run that is already terminal is returned untouched (`finished: false`), so a late second
   * ending is harmless.
   */
  finish(runId: string, outcome: RunOutcome): Promise<{ run: RunRecord; finished: boolean }>;
}

export function createRunJournal(store: Store, hub: EventHub): RunJournal {
  const chains = new Map<string, Promise<unknown>>();

  function serial<T>(runId: string, work: () => Promise<T>): Promise<T> {
    const previous = chains.get(runId) ?? Promise.resolve();
    const next = previous.then(work, work);
    chains.set(runId, next);
    const forget = () => {
      if (chains.get(runId) === next) chains.delete(runId);
    };
    next.then(forget, forget);
    return next;
  }

  async function append(runId: string, payload: RunEventPayload): Promise<StoredRunEvent> {
    const event = await store.runs.appendEvent(runId, payload);
    hub.publish(event);
    return event;
  }

  return {
    append: (runId, payload) => serial(runId, () => append(runId, payload)),
    update: (runId, patch) => serial(runId, () => store.runs.update(runId, patch)),
    finish: (runId, outcome) =>
      serial(runId, async () => {
        const current = await store.runs.get(runId);
        if (!current) throw new AgentrtError(ErrorCode.RUN_NOT_FOUND, `run ${runId} does not exist`);
        if (TERMINAL_RUN_STATUSES.has(current.status)) return { run: current, finished: false };
        const error = outcome.status === "succeeded" ? null : outcome.error;
        const output = outcome.status === "succeeded" ? outcome.output : null;
        if (error) await append(runId, { type: "error", error });
        await append(runId, {
          type: "run.finished",
          status: outcome.status,
          ...(error ? { error } : { output }),
        });
        const finished = await store.runs.update(runId, {
          status: outcome.status,
          output,
          error,
          finishedAt: nowIso(),
        });
        hub.settle(finished);
        return { run: finished, finished: true };
      }),
  };
}
