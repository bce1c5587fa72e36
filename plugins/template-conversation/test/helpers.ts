import type { AgentInstance, RunContext, TemplateEvent } from "@agentrt/core";
import {
  collectEvents,
  createTestRunContext,
  createTestTemplateContext,
  validateConfig,
} from "@agentrt/testing";
import { MemorySaver } from "@langchain/langgraph";
import template from "../src/index.js";
import type { ConversationContext, ConversationServices } from "../src/services.js";

export const TEST_KEY = "sk-test-conversation-key";

export interface ContextOverrides extends Partial<Omit<ConversationContext, "services">> {
  /** Merged over the default services; values are not type-checked so tests can pass bad ones. */
  services?: { readonly [K in keyof ConversationServices]?: unknown };
}

/**
 * A context like the host's: the env holds the key the default config references, and the
 * required checkpointer is a fresh MemorySaver unless the test passes its own.
 */
export function createContext(overrides: ContextOverrides = {}): ConversationContext {
  const { services, ...rest } = overrides;
  return createTestTemplateContext({
    env: { OPENAI_API_KEY: TEST_KEY },
    ...rest,
    services: { checkpointer: new MemorySaver(), ...services },
  }) as ConversationContext;
}

/** Validates like the server, then creates the agent instance. */
export async function createAgent(
  config: Record<string, unknown>,
  ctx: ConversationContext = createContext(),
): Promise<AgentInstance> {
  const normalised = await validateConfig(template, config, { ...ctx, phase: "create" });
  return template.create(normalised as never, ctx);
}

export function run(
  agent: AgentInstance,
  input: unknown,
  overrides: Partial<RunContext> = {},
): Promise<TemplateEvent[]> {
  return collectEvents(agent.run(input, createTestRunContext(overrides)));
}

export function outputOf(events: TemplateEvent[]): unknown {
  return events.find((event) => event.type === "output")?.output;
}

/** The messages (role + content) the fake server received in request `index`. */
export function sentMessages(body: { messages: { role: string; content: unknown }[] }) {
  return body.messages.map(({ role, content }) => ({ role, content }));
}
