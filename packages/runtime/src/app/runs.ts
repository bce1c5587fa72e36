import { AgentrtError, ErrorCode } from "@agentrt/core";
import { z } from "zod";
import type { PreparedRun, RunEngine, SubmitRunOptions } from "../engine/run-engine.js";
import { nowIso } from "../ids.js";
import type { RunRecord, Store, ThreadRecord } from "../store.js";
import type { AgentAdmission } from "./agent-limits.js";

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
  /** RUN_NOT_FOUND when no run has this id. */
  get(id: string): Promise<RunRecord>;
  /** Runs of a thread that have not ended. */
  unfinishedOnThread(threadId: string): Promise<RunRecord[]>;
  /** Cancels runs, ignoring those that ended meanwhile. */
  cancelAll(runs: RunRecord[]): Promise<void>;
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
    async get(id) {
      const run = await store.runs.get(id);
      if (!run) throw new AgentrtError(ErrorCode.RUN_NOT_FOUND, `no run with id "${id}"`);
      return run;
    },
    unfinishedOnThread,
    cancelAll,
  };
}
