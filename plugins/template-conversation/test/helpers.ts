import type { AgentInstance, RunContext, TemplateContext, TemplateEvent } from "@agentrt/core";
import { validateAgentConfig } from "@agentrt/core";
import { collectEvents, createTestRunContext, createTestTemplateContext } from "@agentrt/testing";
import template from "../src/index.js";

export const TEST_KEY = "sk-test-conversation-key";

/** A context whose env holds the key the default config references. */
export function createContext(overrides: Partial<TemplateContext> = {}): TemplateContext {
  return createTestTemplateContext({ env: { OPENAI_API_KEY: TEST_KEY }, ...overrides });
}

/** Validates like the server, then creates the agent instance. */
export async function createAgent(
  config: Record<string, unknown>,
  ctx: TemplateContext = createContext(),
): Promise<AgentInstance> {
  const normalised = await validateAgentConfig(template, config, { ...ctx, phase: "create" });
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
