import { AgentrtError, ErrorCode } from "@agentrt/core";
import { z } from "zod";
import type {
  ExecuteOptions,
  PreparedRun,
  RunEngine,
  SubmitRunOptions,
  UnstoredRun,
} from "../engine/run-engine.js";
import { nowIso } from "../ids.js";
import type { RunRecord, Store, ThreadRecord } from "../store.js";
import type { AgentAdmission } from "./agent-limits.js";

/** Rows per write when deleting on request: each batch is one short transaction. */
const DELETE_BATCH = 200;

/** What to do with a thread's unfinished runs when a new one arrives. */
export const MultitaskStrategySchema = z.enum(["reject", "enqueue", "interrupt"]);
export type MultitaskStrategy = z.infer<typeof MultitaskStrategySchema>;

export interface RunSubmission extends SubmitRunOptions {
  /** Default: the thread's `metadata.multitaskStrategy`, else `enqueue`. */
  multitaskStrategy?: MultitaskStrategy | undefined;
}

export interface RunUseCases {
  /**
   * Submits a run: validation (paused agent, template installed, input, timeout, webhook URL under
   * the egress policy), then, on a
   * thread, admission under the thread's lease (the thread exists and belongs to the agent when
   * bound; the multitask strategy decides about unfinished runs), then the run pinned to the
   * agent's revision is stored and queued, unless the agent's limits refuse it (RATE_LIMITED).
   */
  submit(submission: RunSubmission): Promise<{ run: RunRecord; created: boolean }>;
  /**
   * Executes a run without storing it (`RunEngine.execute`): the same validation and agent limits
   * as `submit`, for a submission without a thread, idempotency key or webhook.
   */
  execute(submission: SubmitRunOptions, options?: ExecuteOptions): Promise<UnstoredRun>;
  /** RUN_EXPIRED or RUN_DELETED for a removed run (while its tombstone lasts), else RUN_NOT_FOUND. */
  get(id: string): Promise<RunRecord>;
  /** Deletes a finished run with its events; RUN_NOT_FINISHED while it is queued or running. */
  delete(id: string): Promise<void>;
  /** Deletes the agent's finished runs created before `before`, in batches; returns how many. */
  deleteBefore(agentId: string, before: string): Promise<number>;
  /** Runs of a thread that have not ended. */
  unfinishedOnThread(threadId: string): Promise<RunRecord[]>;
  /** Cancels runs, ignoring those that ended meanwhile. */
  cancelAll(runs: RunRecord[]): Promise<void>;
}

/** Why a run id finds nothing: removed (its tombstone says how) or never known. */
async function runGoneError(store: Store, id: string): Promise<AgentrtError> {
  const tombstone = await store.retention.tombstone(id);
  if (!tombstone) return new AgentrtError(ErrorCode.RUN_NOT_FOUND, `no run with id "${id}"`);
  const details = { id, removedAt: tombstone.removedAt };
  return tombstone.reason === "expired"
    ? new AgentrtError(
        ErrorCode.RUN_EXPIRED,
        `run ${id} was removed by the retention policy at ${tombstone.removedAt}`,
        { details },
      )
    : new AgentrtError(ErrorCode.RUN_DELETED, `run ${id} was deleted at ${tombstone.removedAt}`, { details });
}

function threadStrategy(thread: ThreadRecord): MultitaskStrategy {
  const parsed = MultitaskStrategySchema.safeParse(thread.metadata.multitaskStrategy);
  return parsed.success ? parsed.data : "enqueue";
}

export function createRunUseCases(deps: {
  store: Store;
  engine: RunEngine;
  admission: AgentAdmission;
  withThreadLease: <T>(threadId: string, work: () => Promise<T>) => Promise<T>;
}): RunUseCases {
  const { store, engine, admission, withThreadLease } = deps;
  const runGone = (id: string) => runGoneError(store, id);
  const admit = (prepared: PreparedRun) => admission.admit(prepared.agent, () => engine.submit(prepared));

  async function unfinishedOnThread(threadId: string): Promise<RunRecord[]> {
    const pages = await Promise.all(
      (["running", "queued"] as const).map((status) => store.runs.list({ threadId, status, limit: 200 })),
    );
    return pages.flatMap((page) => page.items);
  }

  async function cancelAll(runs: RunRecord[]): Promise<void> {
    await Promise.all(runs.map((run) => engine.cancel(run.id).catch(() => {})));
  }

  async function admitOnThread(
    prepared: PreparedRun,
    threadId: string,
    requested: MultitaskStrategy | undefined,
  ): Promise<{ run: RunRecord; created: boolean }> {
    const thread = await store.threads.get(threadId);
    if (!thread)
      throw new AgentrtError(ErrorCode.THREAD_NOT_FOUND, `no thread with id "${threadId}"`, {
        details: { id: threadId },
      });
    if (thread.agentId !== null && thread.agentId !== prepared.agent.id) {
      throw new AgentrtError(
        ErrorCode.VALIDATION_FAILED,
        `thread ${thread.id} belongs to another agent (${thread.agentId})`,
        { issues: [{ path: ["threadId"], message: "the thread is bound to another agent" }] },
      );
    }
    const strategy = requested ?? threadStrategy(thread);
    // `enqueue` needs nothing here: the engine runs a thread's runs one at a time, in order.
    if (strategy !== "enqueue") {
      const busy = await unfinishedOnThread(thread.id);
      if (busy.length > 0 && strategy === "reject") {
        throw new AgentrtError(
          ErrorCode.THREAD_BUSY,
          `thread ${thread.id} has a run in progress (${busy[0]!.id})`,
          { details: { runId: busy[0]!.id } },
        );
      }
      // What the cancelled runs wrote to the thread stays; the new run starts once they are over.
      await cancelAll(busy);
    }
    const submitted = await admit(prepared);
    await store.threads.touch(thread.id, nowIso());
    return submitted;
  }

  return {
    async submit({ multitaskStrategy, ...options }) {
      const prepared = engine.prepare(options);
      // Resolved before the thread lease is taken: a slow DNS answer must not hold the thread.
      if (prepared.webhookUrl) await engine.checkWebhookUrl(prepared.webhookUrl);
      const threadId = options.threadId;
      if (!threadId) return admit(prepared);
      return withThreadLease(threadId, () => admitOnThread(prepared, threadId, multitaskStrategy));
    },
    async execute(submission, options) {
      const prepared = engine.prepare(submission);
      return admission.admitUnstored(prepared.agent, () => engine.execute(prepared, options));
    },
    async get(id) {
      const run = await store.runs.get(id);
      if (!run) throw await runGone(id);
      return run;
    },
    async delete(id) {
      const outcome = await store.retention.deleteRun(id, "deleted");
      if (outcome === "missing") throw await runGone(id);
      if (outcome === "unfinished") {
        throw new AgentrtError(
          ErrorCode.RUN_NOT_FINISHED,
          `run ${id} has not finished; cancel it (POST /v1/runs/${id}/cancel) before deleting it`,
          { details: { id } },
        );
      }
    },
    async deleteBefore(agentId, before) {
      let total = 0;
      for (;;) {
        const deleted = await store.retention.pruneRuns(
          { agentId, createdBefore: before },
          "deleted",
          DELETE_BATCH,
        );
        total += deleted;
        if (deleted < DELETE_BATCH) return total;
      }
    },
    unfinishedOnThread,
    cancelAll,
  };
}
