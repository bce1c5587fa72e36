import { AgentrtError, type ChatCapability, type ChatMessage, ErrorCode } from "@agentrt/core";
import type { InstalledTemplate } from "../installed-template.js";
import type { TemplateRegistry } from "../registry.js";
import type { AgentRecord, Store } from "../store.js";
import { qualifyError } from "../template-errors.js";

export interface ChatUseCases {
  /** The agent a model id (`name` or `name@revision`) names, pinned to that revision. */
  resolveModel(model: string): Promise<AgentRecord>;
  /** Every active agent: the models a key allowed to invoke sees. */
  listModels(): Promise<AgentRecord[]>;
  /** How the agent's template speaks chat: its `chat` capability, or the plain-text default. */
  adapterFor(agent: AgentRecord): ChatCapability;
}

function invalid(message: string, path: (string | number)[]): AgentrtError {
  return new AgentrtError(ErrorCode.VALIDATION_FAILED, message, { issues: [{ path, message }] });
}

/**
 * For templates without the `chat` capability: the run input is the last user message's text, and
 * the reply is the output as text (an assistant message's content, else JSON for non-strings).
 */
export const plainTextChat: ChatCapability = {
  toInput(messages: ChatMessage[]) {
    const index = messages.findLastIndex((message) => message.role === "user");
    if (index === -1) throw invalid("at least one user message is required", ["messages"]);
    return messages[index]!.content;
  },
  replyText(output) {
    if (typeof output === "string") return output;
    if (output === null || output === undefined) return "";
    const content = (output as { content?: unknown }).content;
    if ((output as { role?: unknown }).role === "assistant" && typeof content === "string") return content;
    return JSON.stringify(output);
  },
};

/** `name@7` → agent `name`, revision 7. Agent names can't contain `@`, so the split is unambiguous. */
function parseModelId(model: string): { name: string; revision: number | undefined } {
  const match = /^(.+)@(\d{1,9})$/.exec(model);
  return match ? { name: match[1]!, revision: Number(match[2]) } : { name: model, revision: undefined };
}

export function modelNotFound(model: string, why: string): AgentrtError {
  return new AgentrtError(
    ErrorCode.AGENT_NOT_FOUND,
    `The model \`${model}\` does not exist or you do not have access to it (${why}).`,
    { details: { model } },
  );
}

/** The capability with the template's own error codes namespaced, as every template error is. */
function qualified(template: InstalledTemplate, chat: ChatCapability): ChatCapability {
  return {
    toInput(messages, options) {
      try {
        return chat.toInput(messages, options);
      } catch (error) {
        throw qualifyError(error, template);
      }
    },
    replyText: (output) => chat.replyText(output),
  };
}

export function createChatUseCases(deps: { store: Store; registry: TemplateRegistry }): ChatUseCases {
  const { store, registry } = deps;
  const adapters = new WeakMap<InstalledTemplate, ChatCapability>();
  return {
    async resolveModel(model) {
      const { name, revision } = parseModelId(model);
      const agent = await store.agents.get(name);
      if (!agent) throw modelNotFound(model, `no agent named "${name}"`);
      if (revision === undefined || revision === agent.revision) return agent;
      const pinned = await store.agents.revision(agent.id, revision);
      if (!pinned) {
        throw new AgentrtError(
          ErrorCode.REVISION_NOT_FOUND,
          `The model \`${model}\` does not exist: agent "${name}" has no revision ${revision}.`,
          { details: { model } },
        );
      }
      // The engine runs a submitted record's config and pins the run to its revision.
      return {
        ...agent,
        revision: pinned.revision,
        templateVersion: pinned.templateVersion,
        config: pinned.config,
      };
    },
    async listModels() {
      const agents: AgentRecord[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.agents.list({ status: "active", limit: 200, cursor });
        agents.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return agents;
    },
    adapterFor(agent) {
      const template = registry.get(agent.templateName, agent.templateVersion)?.template;
      if (!template?.chat) return plainTextChat;
      let adapter = adapters.get(template);
      if (!adapter) {
        adapter = qualified(template, template.chat);
        adapters.set(template, adapter);
      }
      return adapter;
    },
  };
}
