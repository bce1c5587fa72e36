import { coreServices, optionalService, type TemplateContext } from "@agentrt/core";

/**
 * The host services the template uses. The checkpointer is required (a host without one refuses
 * the template at load): thread memory must outlive an agent instance. The secret store is
 * optional: without it only `{ "env": … }` key references validate. The agent directory is
 * optional: without it an `agent` tool takes one text `input` unless its config gives `parameters`.
 */
export const services = {
  checkpointer: coreServices.checkpointer,
  secrets: optionalService(coreServices.secrets),
  agents: optionalService(coreServices.agents),
} as const;

export type ConversationServices = typeof services;

/** The context the host hands this template: `ctx.services` typed by the refs above. */
export type ConversationContext = TemplateContext<ConversationServices>;
