import {
  type AgentDirectory,
  AgentrtError,
  ErrorCode,
  type KeySource,
  type RunContext,
  type ToolDefinition,
} from "@agentrt/core";
import { createEgressPolicy } from "@agentrt/egress";
import type { ServerToolConfig } from "./config-schema.js";
import { httpTool } from "./http-tool.js";
import { createMcpSource } from "./mcp-source.js";
import { parseSettings } from "./settings.js";
import { parseArguments } from "./tool-arguments.js";

/** A tool the agent runs itself. `run` gets the model's arguments (JSON text) and must honour `signal`. */
export interface ServerTool {
  definition: ToolDefinition;
  run(args: string, runCtx: RunContext, signal: AbortSignal): Promise<unknown>;
}

export type ToolMap = ReadonlyMap<string, ServerTool>;

/** The parameters of an agent tool whose agent's template declares no input schema: one text input. */
const TEXT_INPUT = {
  type: "object",
  properties: { input: { type: "string", description: "What to ask the agent" } },
  required: ["input"],
};

/**
 * How the model calls an agent: `parameters` (the tool's JSON Schema) and whether the run input is
 * the arguments object or its `input` argument (the model's arguments are always an object).
 */
interface AgentCallShape {
  parameters: Record<string, unknown>;
  wrapped: boolean;
}

/**
 * The called agent's input schema as the tool's parameters: an object schema as it is, any other
 * as the `input` argument, none (or no agent directory on this host) as one text `input`. The
 * config's `parameters` override it, and then the arguments object is the input.
 */
async function callShape(
  config: Extract<ServerToolConfig, { type: "agent" }>,
  agents: AgentDirectory | undefined,
): Promise<AgentCallShape> {
  if (config.parameters) return { parameters: config.parameters, wrapped: false };
  const schema = (await agents?.describe(config.agent))?.inputSchema;
  if (!schema) return { parameters: TEXT_INPUT, wrapped: true };
  if (schema.type === "object") return { parameters: schema, wrapped: false };
  const input = { description: "The agent's input", ...schema };
  return { parameters: { type: "object", properties: { input }, required: ["input"] }, wrapped: true };
}

function agentTool(config: Extract<ServerToolConfig, { type: "agent" }>, shape: AgentCallShape): ServerTool {
  return {
    definition: {
      type: "function",
      function: { name: config.name, description: config.description, parameters: shape.parameters },
    },
    run(args, runCtx, signal) {
      const parsed = parseArguments(args);
      return runCtx.invokeAgent(config.agent, shape.wrapped ? parsed.input : parsed, { signal });
    },
  };
}

/**
 * The config's tools: `load` gives every tool by name; two tools with one name (an MCP tool named
 * like another tool) are refused.
 */
export function createServerTools(
  configs: ServerToolConfig[],
  ctx: KeySource & {
    settings: Readonly<Record<string, unknown>>;
    services: { readonly agents?: AgentDirectory | undefined };
  },
) {
  const settings = configs.length > 0 ? parseSettings(ctx.settings) : undefined;
  // One egress policy per agent instance for its http tools: kept-alive connections, closed with it.
  const egress = configs.some((config) => config.type === "http")
    ? createEgressPolicy({ allow: settings!.allowInternal })
    : undefined;
  const httpTools = new Map(
    configs.flatMap((config) =>
      config.type === "http" ? [[config, httpTool(config, ctx, egress!.fetch)]] : [],
    ),
  );
  const mcpConfigs = configs.flatMap((config) => (config.type === "mcp" ? [config] : []));
  const servers = settings?.mcpServers ?? {};
  const sources = mcpConfigs.map((config) => {
    const settings = servers[config.server];
    if (!settings)
      throw new AgentrtError(ErrorCode.CONFIG_INVALID, `no MCP server "${config.server}" is configured`);
    return createMcpSource(config.server, settings, config.tools, ctx);
  });

  /**
   * The http and agent tools in config order. Agent tools are described per run, so a called
   * agent's new input schema (an upgrade, another config) is offered at once.
   */
  const ownTools = () =>
    Promise.all(
      configs.flatMap((config): (ServerTool | Promise<ServerTool>)[] => {
        if (config.type === "http") return [httpTools.get(config)!];
        if (config.type !== "agent") return [];
        return [callShape(config, ctx.services.agents).then((shape) => agentTool(config, shape))];
      }),
    );

  return {
    /** Every tool by name; MCP servers' tools are listed once per connection. */
    async load(): Promise<ToolMap> {
      const [own, listed] = await Promise.all([
        ownTools(),
        Promise.all(sources.map((source) => source.load())),
      ]);
      const tools = new Map(own.map((tool) => [tool.definition.function.name, tool]));
      for (const tool of listed.flat()) {
        const { name } = tool.definition.function;
        if (tools.has(name)) {
          throw new AgentrtError(ErrorCode.CONFIG_INVALID, `two tools of this agent are named "${name}"`);
        }
        tools.set(name, tool);
      }
      return tools;
    },
    close(): void {
      for (const source of sources) source.close();
      egress?.close();
    },
  };
}
