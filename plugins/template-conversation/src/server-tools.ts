import { AgentrtError, ErrorCode, type KeySource, type RunContext, type ToolDefinition } from "@agentrt/core";
import { createEgressPolicy } from "@agentrt/egress";
import type { ServerToolConfig } from "./config-schema.js";
import { httpTool } from "./http-tool.js";
import { createMcpSource } from "./mcp-source.js";
import { parseSettings } from "./settings.js";

/** A tool the agent runs itself. `run` gets the model's arguments (JSON text) and must honour `signal`. */
export interface ServerTool {
  definition: ToolDefinition;
  run(args: string, runCtx: RunContext, signal: AbortSignal): Promise<unknown>;
}

export type ToolMap = ReadonlyMap<string, ServerTool>;

/** An agent tool without `parameters` takes one text input. */
const TEXT_INPUT = {
  type: "object",
  properties: { input: { type: "string", description: "What to ask the agent" } },
  required: ["input"],
};

function parseArguments(args: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(args || "{}");
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error("the arguments are not a JSON object");
  }
  return parsed as Record<string, unknown>;
}

function agentTool(config: Extract<ServerToolConfig, { type: "agent" }>): ServerTool {
  return {
    definition: {
      type: "function",
      function: {
        name: config.name,
        description: config.description,
        parameters: config.parameters ?? TEXT_INPUT,
      },
    },
    run(args, runCtx, signal) {
      const parsed = parseArguments(args);
      const input = config.parameters ? parsed : parsed.input;
      return runCtx.invokeAgent(config.agent, input, { signal });
    },
  };
}

/**
 * The config's tools: agent tools as given, MCP servers' tools listed on first use. `load` gives
 * every tool by name; two tools with one name (an MCP tool named like another tool) are refused.
 */
export function createServerTools(
  configs: ServerToolConfig[],
  ctx: KeySource & { settings: Readonly<Record<string, unknown>> },
) {
  const settings = configs.length > 0 ? parseSettings(ctx.settings) : undefined;
  // One egress policy per agent instance for its http tools: kept-alive connections, closed with it.
  const egress = configs.some((config) => config.type === "http")
    ? createEgressPolicy({ allow: settings!.allowInternal })
    : undefined;
  const fixed = configs.flatMap((config) => {
    if (config.type === "agent") return [agentTool(config)];
    if (config.type === "http") return [httpTool(config, ctx, egress!.fetch)];
    return [];
  });
  const mcpConfigs = configs.flatMap((config) => (config.type === "mcp" ? [config] : []));
  const servers = settings?.mcpServers ?? {};
  const sources = mcpConfigs.map((config) => {
    const settings = servers[config.server];
    if (!settings)
      throw new AgentrtError(ErrorCode.CONFIG_INVALID, `no MCP server "${config.server}" is configured`);
    return createMcpSource(config.server, settings, config.tools, ctx);
  });
  const staticTools: ToolMap = new Map(fixed.map((tool) => [tool.definition.function.name, tool]));

  return {
    async load(): Promise<ToolMap> {
      if (sources.length === 0) return staticTools;
      const tools = new Map(staticTools);
      for (const listed of await Promise.all(sources.map((source) => source.load()))) {
        for (const tool of listed) {
          const { name } = tool.definition.function;
          if (tools.has(name)) {
            throw new AgentrtError(ErrorCode.CONFIG_INVALID, `two tools of this agent are named "${name}"`);
          }
          tools.set(name, tool);
        }
      }
      return tools;
    },
    close(): void {
      for (const source of sources) source.close();
      egress?.close();
    },
  };
}
