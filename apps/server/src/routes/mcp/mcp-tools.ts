import type { Template } from "@agentrt/core";
import { type AgentRecord, inputJsonSchema, type TemplateRegistry } from "@agentrt/runtime";

type ObjectSchema = { type: "object"; [key: string]: unknown };

/** An agent as an MCP tool: `tools/list` shows it, `tools/call` runs it. */
export interface AgentTool {
  name: string;
  description: string;
  inputSchema: ObjectSchema;
}

/** How a template's run input maps onto tool arguments, which MCP requires to be an object. */
interface InputMapping {
  schema: ObjectSchema;
  /** The input is not an object: it is the `input` argument. */
  wrapped: boolean;
}

const mappings = new WeakMap<object, InputMapping>();

const wrap = (json: Record<string, unknown>): InputMapping => ({
  schema: {
    type: "object",
    properties: { input: { description: "The agent's run input", ...json } },
    required: ["input"],
  },
  wrapped: true,
});

/** The template's input schema as tool arguments, mapped once per template. */
function mappingOf(template: Pick<Template, "inputSchema"> | undefined): InputMapping {
  if (!template?.inputSchema) return wrap({});
  let mapping = mappings.get(template);
  if (!mapping) {
    const json = inputJsonSchema(template)!;
    mapping = json.type === "object" ? { schema: json as ObjectSchema, wrapped: false } : wrap(json);
    mappings.set(template, mapping);
  }
  return mapping;
}

function templateOf(agent: AgentRecord, registry: TemplateRegistry) {
  return registry.get(agent.templateName, agent.templateVersion)?.template;
}

export function toAgentTool(agent: AgentRecord, registry: TemplateRegistry): AgentTool {
  return {
    name: agent.name,
    description: agent.description ?? `agentrt agent "${agent.name}" (template ${agent.templateName})`,
    inputSchema: mappingOf(templateOf(agent, registry)).schema,
  };
}

/** The run input for a tool call's arguments: the arguments, or their `input` for a non-object input. */
export function toRunInput(
  agent: AgentRecord,
  registry: TemplateRegistry,
  args: Record<string, unknown> | undefined,
): unknown {
  return mappingOf(templateOf(agent, registry)).wrapped ? (args?.input ?? null) : (args ?? {});
}
