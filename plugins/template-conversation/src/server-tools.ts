import type { RunContext, ToolDefinition } from "@agentrt/core";
import type { ServerToolConfig } from "./config-schema.js";

/** A tool the agent runs itself. `run` gets the model's arguments (JSON text) and must honour `signal`. */
export interface ServerTool {
  definition: ToolDefinition;
  run(args: string, runCtx: RunContext, signal: AbortSignal): Promise<unknown>;
}

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

/** The config's tools by name. */
export function createServerTools(configs: ServerToolConfig[]): Map<string, ServerTool> {
  return new Map(configs.map((config) => [config.name, agentTool(config)]));
}
