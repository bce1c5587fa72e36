import {
  AgentrtError,
  ErrorCode,
  nowIso,
  type RunRecord,
  type SubmitRunOptions,
  type ThreadRecord,
} from "@agentrt/core";
import type { AppServices } from "../../lib/services.js";
import { MultitaskStrategySchema } from "./threads.routes.js";

export type MultitaskStrategy = "reject" | "enqueue" | "interrupt";

export interface ThreadMessage {
  id: string | null;
  role: "user" | "assistant" | "system" | "tool";
  content: string;
}

/** The slice of a LangGraph checkpoint saver the threads API uses (checked structurally). */
interface ThreadCheckpoints {
  getTuple(config: {
    configurable: { thread_id: string };
  }): Promise<{ checkpoint: { channel_values: Record<string, unknown> } } | undefined>;
  deleteThread(threadId: string): Promise<void>;
}

/** A LangChain message as the checkpointer restores it. */
interface StoredMessage {
  id?: string;
  type?: string;
  getType?(): string;
  text?: string;
  content?: unknown;
}

const ROLE_BY_TYPE: Record<string, ThreadMessage["role"]> = {
  human: "user",
  ai: "assistant",
  system: "system",
  tool: "tool",
};

export async function getThreadOrThrow(services: AppServices, id: string): Promise<ThreadRecord> {
  const thread = await services.store.threads.get(id);
  if (!thread)
    throw new AgentrtError(ErrorCode.THREAD_NOT_FOUND, `no thread with id "${id}"`, { details: { id } });
  return thread;
}

/** Thread memory lives in the checkpointer, a service the host shares with every template alike. */
function threadCheckpoints(services: AppServices): ThreadCheckpoints | undefined {
  const saver = services.templateContext("conversation").services.checkpointer as
    | Partial<ThreadCheckpoints>
    | undefined;
  return typeof saver?.getTuple === "function" && typeof saver.deleteThread === "function"
    ? (saver as ThreadCheckpoints)
    : undefined;
}

function messageText(message: StoredMessage): string {
  if (typeof message.text === "string") return message.text;
  return typeof message.content === "string" ? message.content : JSON.stringify(message.content ?? "");
}

/** The thread's transcript from its latest checkpoint; empty when nothing ran on it yet. */
export async function readThreadMessages(services: AppServices, threadId: string): Promise<ThreadMessage[]> {
  const tuple = await threadCheckpoints(services)?.getTuple({ configurable: { thread_id: threadId } });
  const stored = tuple?.checkpoint.channel_values.messages;
  if (!Array.isArray(stored)) return [];
  const messages: ThreadMessage[] = [];
  for (const message of stored as StoredMessage[]) {
    const role = ROLE_BY_TYPE[message.getType?.() ?? message.type ?? ""];
    if (role) messages.push({ id: message.id ?? null, role, content: messageText(message) });
  }
  return messages;
}

const threadLocks = new Map<string, Promise<unknown>>();

/** Runs `work` for one thread at a time in this process, so busy checks and submissions don't race. */
function withThreadLock<T>(threadId: string, work: () => Promise<T>): Promise<T> {
  const next = (threadLocks.get(threadId) ?? Promise.resolve()).then(work, work);
  threadLocks.set(threadId, next);
  const forget = () => {
    if (threadLocks.get(threadId) === next) threadLocks.delete(threadId);
  };
  next.then(forget, forget);
  return next;
}

async function unfinishedRuns(services: AppServices, threadId: string): Promise<RunRecord[]> {
  const pages = await Promise.all(
    (["running", "queued"] as const).map((status) =>
      services.store.runs.list({ threadId, status, limit: 200 }),
    ),
  );
  return pages.flatMap((page) => page.items);
}

/** Cancels runs, ignoring those that ended meanwhile. */
async function cancelRuns(services: AppServices, runs: RunRecord[]): Promise<void> {
  await Promise.all(runs.map((run) => services.engine.cancel(run.id).catch(() => {})));
}

/**
 * Deletes the thread with its memory. Its unfinished runs are cancelled first, so none of them
 * writes the memory back afterwards.
 */
export function deleteThread(services: AppServices, threadId: string): Promise<void> {
  return withThreadLock(threadId, async () => {
    await cancelRuns(services, await unfinishedRuns(services, threadId));
    // The store may drop checkpoints with the thread, but the saver is the authority on its own data.
    await threadCheckpoints(services)?.deleteThread(threadId);
    await services.store.threads.delete(threadId);
  });
}

function threadStrategy(thread: ThreadRecord): MultitaskStrategy {
  const parsed = MultitaskStrategySchema.safeParse(thread.metadata.multitaskStrategy);
  return parsed.success ? parsed.data : "enqueue";
}

async function submitOnThread(
  services: AppServices,
  options: SubmitRunOptions & { threadId: string },
  requested: MultitaskStrategy | undefined,
): Promise<{ run: RunRecord; created: boolean }> {
  const thread = await getThreadOrThrow(services, options.threadId);
  if (thread.agentId !== null && thread.agentId !== options.agent.id) {
    throw new AgentrtError(
      ErrorCode.VALIDATION_FAILED,
      `thread ${thread.id} belongs to another agent (${thread.agentId})`,
      {
        issues: [{ path: ["threadId"], message: "the thread is bound to another agent" }],
      },
    );
  }
  const strategy = requested ?? threadStrategy(thread);
  // `enqueue` needs nothing here: the engine runs a thread's runs one at a time, in order.
  if (strategy !== "enqueue") {
    const busy = await unfinishedRuns(services, thread.id);
    if (busy.length > 0 && strategy === "reject") {
      throw new AgentrtError(
        ErrorCode.THREAD_BUSY,
        `thread ${thread.id} has a run in progress (${busy[0]!.id})`,
        {
          details: { runId: busy[0]!.id },
        },
      );
    }
    // What the cancelled runs wrote to the thread stays; the new run starts once they are over.
    await cancelRuns(services, busy);
  }
  const submitted = await services.engine.submit(options);
  await services.store.threads.touch(thread.id, nowIso());
  return submitted;
}

/**
 * Submits a run. With a thread: the thread must exist (and belong to the agent, when bound) and
 * an unfinished earlier run is handled by the multitask strategy (the request's, else the
 * thread's `metadata.multitaskStrategy`, else `enqueue`).
 */
export function submitRun(
  services: AppServices,
  options: SubmitRunOptions,
  multitaskStrategy?: MultitaskStrategy,
): Promise<{ run: RunRecord; created: boolean }> {
  const { threadId } = options;
  if (!threadId) return services.engine.submit(options);
  return withThreadLock(threadId, () =>
    submitOnThread(services, { ...options, threadId }, multitaskStrategy),
  );
}
