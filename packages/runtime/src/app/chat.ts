import {
  AgentrtError,
  type ChatCapability,
  type ChatMessage,
  type ChatParam,
  type ChatParamPolicy,
  type ChatParams,
  ErrorCode,
  type ToolCall,
} from "@agentrt/core";
import type { RunEngine } from "../engine/run-engine.js";
import type { InstalledTemplate } from "../installed-template.js";
import type { TemplateRegistry } from "../registry.js";
import type { StoredRunEvent } from "../run-events.js";
import type { AgentRecord, Store } from "../store.js";
import { qualifyError } from "../template-errors.js";
import type { AgentCache } from "./agent-cache.js";
import { prepareReplyFormat, type ResponseFormat } from "./reply-format.js";
import type { MultitaskStrategy, RunUseCases } from "./runs.js";

export interface ChatRequest {
  threadId: string | undefined;
  /** The chat params the caller sent (sampling hints, `response_format`). */
  params: ChatParams;
}

export interface PreparedChat {
  /** The run input the agent's template made of the messages and the honoured params. */
  input: unknown;
  /** Params the agent ignored; the answer names them (`x-agentrt-ignored-params`). */
  ignored: ChatParam[];
  /**
   * The reply text of a succeeded run's output; OUTPUT_FORMAT_MISMATCH when it breaks
   * `response_format` (not checked on a reply that calls tools: its text is no answer yet).
   */
  reply(output: unknown): string;
  /** The caller-declared tools the output calls; empty for a final answer. */
  toolCalls(output: unknown): ToolCall[];
}

export interface ChatStart {
  threadId: string | undefined;
  /** OpenAI's `store`: `true` keeps a stateless completion as a run. */
  store: boolean | undefined;
  multitaskStrategy: MultitaskStrategy | undefined;
  /** Whether the caller streams the reply: an unstored run that is not streamed needs no deltas. */
  stream: boolean;
}

/** A chat completion's run, stored or not: the caller follows and cancels it the same way. */
export interface ChatRun {
  runId: string;
  /** Whether the run is in the journal (the runs API can read and cancel it). */
  stored: boolean;
  /** Its events from the first, ending after `run.finished`, or quietly once `signal` fires. */
  events(signal: AbortSignal): AsyncIterable<StoredRunEvent>;
  cancel(): void;
}

export interface ChatUseCases {
  /** The agent a model id (`name` or `name@revision`) names, pinned to that revision. */
  resolveModel(model: string): Promise<AgentRecord>;
  /** Every active agent: the models a key allowed to invoke sees. */
  listModels(): Promise<AgentRecord[]>;
  /** How the agent's template speaks chat: its `chat` capability, or the plain-text default. */
  adapterFor(agent: AgentRecord): ChatCapability;
  /**
   * A chat request as the agent takes it: each param honoured (passed to the template), ignored
   * (named in the answer) or refused (UNSUPPORTED_PARAMETER, 400) per the agent's policy; an output
   * format the agent does not honour is always refused.
   */
  prepare(agent: AgentRecord, messages: ChatMessage[], request: ChatRequest): PreparedChat;
  /** What an agent does with chat params (shown per model). */
  policyFor(agent: AgentRecord): ChatParamPolicy;
  /**
   * Runs a prepared request. OpenAI's `store` convention: a stateless completion (no thread) is
   * executed without being journalled unless the request says `store: true` or the agent's
   * `retention.storeCompletions` does; a completion on a thread is always stored.
   */
  start(agent: AgentRecord, prepared: PreparedChat, options: ChatStart): Promise<ChatRun>;
}

/**
 * Agents without the `chat` capability take no sampling hints (ignored, and named) but honour an
 * output format: their output is checked against it.
 */
const PLAIN_TEXT_POLICY: ChatParamPolicy = { honoured: ["response_format"], otherwise: "ignore" };

function unsupported(agent: AgentRecord, param: ChatParam, policy: ChatParamPolicy): AgentrtError {
  const allowed = policy.honoured.length > 0 ? policy.honoured.join(", ") : "none";
  const message = `agent "${agent.name}" does not accept ${param} from callers (it accepts: ${allowed})`;
  return new AgentrtError(ErrorCode.UNSUPPORTED_PARAMETER, message, { issues: [{ path: [param], message }] });
}

/**
 * Params that change what the reply is, so an agent that does not honour them refuses them rather
 * than answer something else, unless the value asks for nothing (plain text, no tools).
 */
const MUST_HONOUR: Partial<Record<ChatParam, (value: unknown) => boolean>> = {
  response_format: (value) => (value as { type?: unknown }).type === "text",
  tools: (value) => Array.isArray(value) && value.length === 0,
  tool_choice: (value) => value === "none",
};

/** Sorts the sent params into honoured and ignored, or refuses one. */
function sortParams(
  agent: AgentRecord,
  sent: ChatRequest["params"],
  policy: ChatParamPolicy,
): { honoured: ChatRequest["params"]; ignored: ChatParam[] } {
  const honoured: ChatRequest["params"] = {};
  const ignored: ChatParam[] = [];
  for (const [name, value] of Object.entries(sent) as [ChatParam, unknown][]) {
    if (value === undefined || value === null) continue;
    const harmless = MUST_HONOUR[name];
    // Plain text without tools is what every agent answers.
    if (harmless?.(value)) continue;
    if (policy.honoured.includes(name)) (honoured as Record<string, unknown>)[name] = value;
    else if (harmless || policy.otherwise === "refuse") throw unsupported(agent, name, policy);
    else ignored.push(name);
  }
  return { honoured, ignored };
}

function invalid(message: string, path: (string | number)[]): AgentrtError {
  return new AgentrtError(ErrorCode.VALIDATION_FAILED, message, { issues: [{ path, message }] });
}

/**
 * For templates without the `chat` capability: the run input is the last user message's text, and
 * the reply is the output as text (an assistant message's content, else JSON for non-strings).
 */
export const plainTextChat: ChatCapability = {
  toInput(messages: ChatMessage[]): unknown {
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
    ...(chat.replyToolCalls ? { replyToolCalls: chat.replyToolCalls } : {}),
  };
}

export function createChatUseCases(deps: {
  store: Store;
  registry: TemplateRegistry;
  runs: RunUseCases;
  engine: RunEngine;
  agentCache: AgentCache;
}): ChatUseCases {
  const { store, registry, runs, engine, agentCache } = deps;
  const adapters = new WeakMap<InstalledTemplate, ChatCapability>();
  const templateOf = (agent: AgentRecord) =>
    registry.get(agent.templateName, agent.templateVersion)?.template;

  function adapterFor(agent: AgentRecord): ChatCapability {
    const template = templateOf(agent);
    if (!template?.chat) return plainTextChat;
    let adapter = adapters.get(template);
    if (!adapter) {
      adapter = qualified(template, template.chat);
      adapters.set(template, adapter);
    }
    return adapter;
  }

  function policyFor(agent: AgentRecord): ChatParamPolicy {
    const template = templateOf(agent);
    if (!template?.chat) return PLAIN_TEXT_POLICY;
    return template.chat.params?.(agent.config) ?? { honoured: [], otherwise: "ignore" };
  }

  return {
    async resolveModel(model) {
      const { name, revision } = parseModelId(model);
      const agent = await agentCache.get(name);
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
    adapterFor,
    policyFor,
    prepare(agent, messages, request) {
      const adapter = adapterFor(agent);
      const { honoured, ignored } = sortParams(agent, request.params, policyFor(agent));
      const format = prepareReplyFormat(honoured.response_format as ResponseFormat | undefined);
      const input = adapter.toInput(messages, { threadId: request.threadId, params: honoured });
      const toolCalls = (output: unknown) => adapter.replyToolCalls?.(output) ?? [];
      return {
        input,
        ignored,
        toolCalls,
        reply: (output) => {
          const text = adapter.replyText(output);
          return toolCalls(output).length > 0 ? text : format(text);
        },
      };
    },
    async start(agent, prepared, { threadId, store: storeRequested, multitaskStrategy, stream }) {
      const stored =
        threadId !== undefined || storeRequested === true || agent.retention?.storeCompletions === true;
      if (!stored) {
        const run = await runs.execute({ agent, input: prepared.input }, { outputDeltas: stream });
        return { runId: run.id, stored, events: run.events, cancel: run.cancel };
      }
      const { run } = await runs.submit({
        agent,
        input: prepared.input,
        threadId: threadId ?? null,
        multitaskStrategy,
      });
      return {
        runId: run.id,
        stored,
        events: (signal) => engine.follow(run.id, 0, signal),
        cancel: () => void engine.cancel(run.id).catch(() => {}),
      };
    },
  };
}
