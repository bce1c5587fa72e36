import { AgentrtError, ErrorCode, type RunError, toErrorInfo } from "@agentrt/core";
import { nowIso } from "../ids.js";
import { type RunEventPayload, type StoredRunEvent, TERMINAL_RUN_STATUSES } from "../run-events.js";
import {
  type NewRun,
  type RunFence,
  RunHeldElsewhere,
  type RunPatch,
  type RunRecord,
  type Store,
} from "../store.js";
import type { EventHub } from "./event-hub.js";

/** How a run ended. Only a success carries output; every other ending carries a coded error. */
export type RunOutcome =
  | { status: "succeeded"; output: unknown }
  | { status: "failed" | "cancelled" | "timed_out"; error: RunError };

/**
 * The only writer of run rows and run events. Writes for one run are chained, so events keep the
 * order they were produced in even when several parties (executor, cancel, webhooks) write at once.
 * Events reach the hub only after the store accepted them, in `seq` order, so live followers never
 * see an event the store could lose.
 */
export interface RunJournal {
  /**
   * Stores a new run with its first events in one store call (`Store.runs.create`), then publishes
   * them. An idempotent hit returns the existing run, `created: false`, and stores nothing.
   */
  create(
    run: NewRun,
    idempotentSince: string | undefined,
    payloads: RunEventPayload[],
  ): Promise<{ run: RunRecord; created: boolean }>;
  /**
   * Appends an event; resolves once it is stored (and published). Events a run produces in the
   * same event-loop turn (a burst of tokens, say) are stored together in one store call, so a
   * caller that does not wait for each append gets batching for free. Consecutive `output.delta`
   * events of one batch are stored as one (their texts joined): a fast producer costs one event per
   * batch, not one per token. Events still waiting when the run ends are stored together with its end.
   */
  append(runId: string, payload: RunEventPayload): Promise<StoredRunEvent>;
  update(runId: string, patch: RunPatch): Promise<RunRecord>;
  /**
   * Appends events now, without waiting for a batch, and applies `patch` to the run row in the same
   * store call (e.g. `running` with `run.started`); after everything queued for the run.
   */
  record(runId: string, payloads: RunEventPayload[], patch?: RunPatch): Promise<RunRecord>;
  /**
   * Ends a run: an `error` event for failures, exactly one `run.finished`, and the terminal row, in
   * one store call. A run some of whose events could not be stored does not succeed. A run that is
   * already terminal is returned untouched (`finished: false`), so a late second ending is harmless.
   */
  finish(runId: string, outcome: RunOutcome): Promise<{ run: RunRecord; finished: boolean }>;
  /**
   * Fences the run's event writes with `fence` (this execution, on a store shared by several) until
   * `release`: once another execution took the run over, they are refused and `onHeldElsewhere` is told.
   */
  hold(runId: string, fence: RunFence): void;
  release(runId: string): void;
}

/** Events of one run waiting for the next flush, with the callers waiting for them. */
interface Batch {
  payloads: RunEventPayload[];
  /** `at`: the index in `payloads` of the (possibly merged) event the caller waits for. */
  waiters: { at: number; resolve(event: StoredRunEvent): void; reject(error: unknown): void }[];
}

/** Adds a payload to a batch, joining a text delta onto a delta right before it. */
function push(batch: Batch, payload: RunEventPayload): number {
  const { payloads } = batch;
  const last = payloads.at(-1);
  if (payload.type === "output.delta" && last?.type === "output.delta") {
    payloads[payloads.length - 1] = { type: "output.delta", text: last.text + payload.text };
  } else payloads.push(payload);
  return payloads.length - 1;
}

/** A success becomes a failure when some of the run's events could not be stored. */
function failedWith(outcome: RunOutcome, error: unknown): RunOutcome {
  return outcome.status === "succeeded" ? { status: "failed", error: toErrorInfo(error) } : outcome;
}

/** The events and the row change that end a run. */
export function runEnding(outcome: RunOutcome): { payloads: RunEventPayload[]; patch: RunPatch } {
  const error = outcome.status === "succeeded" ? null : outcome.error;
  const output = outcome.status === "succeeded" ? outcome.output : null;
  const finished: RunEventPayload = {
    type: "run.finished",
    status: outcome.status,
    ...(error ? { error } : { output }),
  };
  return {
    payloads: error ? [{ type: "error", error }, finished] : [finished],
    patch: { status: outcome.status, output, error, finishedAt: nowIso() },
  };
}

export function createRunJournal(
  store: Store,
  hub: EventHub,
  onHeldElsewhere: (runId: string) => void = () => {},
): RunJournal {
  const chains = new Map<string, Promise<unknown>>();
  const fences = new Map<string, RunFence>();
  const batches = new Map<string, Batch>();
  /** Why a run's events were lost, until the run is finished (it then can't succeed). */
  const lost = new Map<string, unknown>();
  let flushScheduled = false;

  function enqueue<T>(runId: string, work: () => Promise<T>): Promise<T> {
    const previous = chains.get(runId) ?? Promise.resolve();
    const next = previous.then(work, work);
    chains.set(runId, next);
    const forget = () => {
      if (chains.get(runId) === next) chains.delete(runId);
    };
    next.then(forget, forget);
    return next;
  }

  /** One store call; its events are then published, in order. */
  async function write(runId: string, payloads: RunEventPayload[], patch?: RunPatch) {
    let result: Awaited<ReturnType<Store["runs"]["appendEvents"]>>;
    try {
      result = await store.runs.appendEvents(runId, payloads, patch, fences.get(runId));
    } catch (error) {
      if (error instanceof RunHeldElsewhere) onHeldElsewhere(runId);
      throw error;
    }
    for (const event of result.events) hub.publish(event);
    return result;
  }

  /** Writes a batch, with `more` events and a patch when given, and tells its waiters. */
  async function writeBatch(runId: string, batch: Batch, more: RunEventPayload[] = [], patch?: RunPatch) {
    try {
      const result = await write(
        runId,
        more.length > 0 ? [...batch.payloads, ...more] : batch.payloads,
        patch,
      );
      for (const waiter of batch.waiters) waiter.resolve(result.events[waiter.at]!);
      return result;
    } catch (error) {
      for (const waiter of batch.waiters) waiter.reject(error);
      throw error;
    }
  }

  function take(runId: string): Batch | undefined {
    const batch = batches.get(runId);
    batches.delete(runId);
    return batch;
  }

  /** Moves the run's pending batch into its chain, so it is written before anything queued later. */
  function seal(runId: string): void {
    const batch = take(runId);
    if (!batch) return;
    void enqueue(runId, () =>
      writeBatch(runId, batch).catch((error: unknown) => {
        if (!lost.has(runId)) lost.set(runId, error);
      }),
    );
  }

  // setImmediate, not a microtask: a template's next event arrives several promise hops later, and
  // the whole burst should make it into the batch.
  function flush(): void {
    flushScheduled = false;
    for (const runId of [...batches.keys()]) seal(runId);
  }

  function serial<T>(runId: string, work: () => Promise<T>): Promise<T> {
    seal(runId);
    return enqueue(runId, work);
  }

  async function finish(runId: string, outcome: RunOutcome, pending: Batch | undefined) {
    const current = await store.runs.get(runId);
    const lostError = lost.get(runId);
    lost.delete(runId);
    if (!current || TERMINAL_RUN_STATUSES.has(current.status)) {
      if (pending) await writeBatch(runId, pending);
      if (!current) throw new AgentrtError(ErrorCode.RUN_NOT_FOUND, `run ${runId} does not exist`);
      return { run: current, finished: false };
    }
    let end = runEnding(lostError === undefined ? outcome : failedWith(outcome, lostError));
    let run: RunRecord | undefined;
    if (pending) {
      try {
        ({ run } = await writeBatch(runId, pending, end.payloads, end.patch));
      } catch (error) {
        // The events are lost; the end must still be recorded, so the run fails on its own.
        end = runEnding(failedWith(outcome, error));
      }
    }
    run ??= (await write(runId, end.payloads, end.patch)).run;
    hub.settle(run);
    return { run, finished: true };
  }

  return {
    async create(run, idempotentSince, payloads) {
      const created = await store.runs.create(run, idempotentSince, payloads);
      for (const event of created.events) hub.publish(event);
      return created;
    },
    append(runId, payload) {
      let batch = batches.get(runId);
      if (!batch) {
        batch = { payloads: [], waiters: [] };
        batches.set(runId, batch);
        if (!flushScheduled) {
          flushScheduled = true;
          setImmediate(flush);
        }
      }
      const { waiters } = batch;
      const at = push(batch, payload);
      return new Promise<StoredRunEvent>((resolve, reject) => {
        waiters.push({ at, resolve, reject });
      });
    },
    update: (runId, patch) => serial(runId, () => store.runs.update(runId, patch)),
    record: (runId, payloads, patch) => serial(runId, async () => (await write(runId, payloads, patch)).run),
    finish(runId, outcome) {
      // Events still waiting for a flush are written in the same store call as the end.
      const pending = take(runId);
      return enqueue(runId, () => finish(runId, outcome, pending));
    },
    hold(runId, fence) {
      fences.set(runId, fence);
    },
    release(runId) {
      fences.delete(runId);
    },
  };
}
