import { AgentrtError, ErrorCode, type Template, type ThreadMessage } from "@agentrt/core";
import { createId } from "../ids.js";
import type { TemplateRegistry } from "../registry.js";
import type { Store, ThreadRecord } from "../store.js";
import type { TemplateContexts } from "./contexts.js";
import type { RunUseCases } from "./runs.js";

export interface ThreadUseCases {
  create(thread: { agentId: string | null; metadata: Record<string, unknown> }): Promise<ThreadRecord>;
  /** THREAD_NOT_FOUND when no thread has this id. */
  get(id: string): Promise<ThreadRecord>;
  /** The thread's transcript, from the template that keeps its memory; empty when none does. */
  messages(id: string): Promise<ThreadMessage[]>;
  /**
   * Deletes the thread with its memory. Its unfinished runs are cancelled first, so none of them
   * writes the memory back afterwards.
   */
  delete(id: string): Promise<void>;
}

type WithThreads = Template & Required<Pick<Template, "threads">>;

export function createThreadUseCases(deps: {
  store: Store;
  registry: TemplateRegistry;
  contexts: TemplateContexts;
  runs: RunUseCases;
  withThreadLease: <T>(threadId: string, work: () => Promise<T>) => Promise<T>;
}): ThreadUseCases {
  const { store, registry, contexts, runs } = deps;

  async function get(id: string): Promise<ThreadRecord> {
    const thread = await store.threads.get(id);
    if (!thread)
      throw new AgentrtError(ErrorCode.THREAD_NOT_FOUND, `no thread with id "${id}"`, { details: { id } });
    return thread;
  }

  /** The installed template a stored agent runs on, when it still exists and keeps threads. */
  async function threadsTemplateOf(agentId: string): Promise<WithThreads | undefined> {
    const agent = await store.agents.get(agentId);
    const template = agent && registry.get(agent.templateName, agent.templateVersion)?.template;
    return template?.threads ? (template as WithThreads) : undefined;
  }

  /**
   * Templates that may hold the thread's memory: the bound agent's, else those of the agents that
   * ran on it (an unbound thread can be shared), most recently used first.
   */
  async function memoryHolders(thread: ThreadRecord): Promise<WithThreads[]> {
    const agentIds =
      thread.agentId !== null
        ? [thread.agentId]
        : [
            ...new Set(
              (await store.runs.list({ threadId: thread.id, limit: 200 })).items.map((r) => r.agentId),
            ),
          ];
    const found = await Promise.all(agentIds.map(threadsTemplateOf));
    return [...new Set(found.filter((t) => t !== undefined))];
  }

  /** Every installed template version that keeps threads: deletion must reach whoever holds memory. */
  function allThreadTemplates(): WithThreads[] {
    return registry
      .names()
      .flatMap((name) => registry.versions(name).map((loaded) => loaded.template))
      .filter((template): template is typeof template & WithThreads => template.threads !== undefined);
  }

  return {
    async create({ agentId, metadata }) {
      return store.threads.create({ id: createId("thr"), agentId, metadata });
    },
    get,
    async messages(id) {
      const thread = await get(id);
      for (const template of await memoryHolders(thread)) {
        const messages = await template.threads.messages(thread.id, contexts.forTemplate(template));
        if (messages.length > 0) return messages;
      }
      return [];
    },
    async delete(id) {
      const thread = await get(id);
      await deps.withThreadLease(thread.id, async () => {
        await runs.cancelAll(await runs.unfinishedOnThread(thread.id));
        // The store may drop memory with the thread, but each template is the authority on its own.
        for (const template of allThreadTemplates())
          await template.threads.delete(thread.id, contexts.forTemplate(template));
        await store.threads.delete(thread.id);
      });
    },
  };
}
