import { AgentrtError, ErrorCode, type ToolCall } from "@agentrt/core";
import type { CallerParams } from "./caller-params.js";
import { ConversationError } from "./errors.js";
import type { ToolLimits } from "./run-tools.js";
import type { ToolMap } from "./server-tools.js";

/** The agent's own tools and how they run; fixed per agent instance. */
export interface ToolSetup {
  /** The tools by name (MCP servers' tools are listed on first use). */
  load(): Promise<ToolMap>;
  limits: ToolLimits;
  maxRounds: number;
}

/**
 * The model request's params: the agent's tools first, then the caller's. A caller tool may not
 * take a name the agent's own tool has: which one a call meant would be a guess.
 */
export function withServerTools(params: CallerParams, tools: ToolMap): CallerParams {
  if (tools.size === 0) return params;
  const callerTools = params.tools ?? [];
  for (const [index, tool] of callerTools.entries()) {
    if (tools.has(tool.function.name)) {
      const message = `the agent has its own tool named "${tool.function.name}"; name the caller's tool differently`;
      throw new AgentrtError(ErrorCode.VALIDATION_FAILED, message, {
        issues: [{ path: ["input", "params", "tools", index, "function", "name"], message }],
      });
    }
  }
  return { ...params, tools: [...[...tools.values()].map((tool) => tool.definition), ...callerTools] };
}

/**
 * A reply's calls sorted: the caller's tools (handed back to the caller), and the rest, which the
 * agent answers itself (its own tools; a name nobody declared gets an error result).
 */
export function splitCalls(
  calls: ToolCall[],
  params: CallerParams,
): { server: ToolCall[]; client: ToolCall[] } {
  const callerNames = new Set((params.tools ?? []).map((tool) => tool.function.name));
  const server: ToolCall[] = [];
  const client: ToolCall[] = [];
  for (const call of calls) (callerNames.has(call.function.name) ? client : server).push(call);
  return { server, client };
}

/** Before another tool round: fails the run once the model has had `maxRounds` rounds. */
export function checkRounds(done: number, setup: ToolSetup): void {
  if (done < setup.maxRounds) return;
  throw new AgentrtError(
    ConversationError.TOOL_ROUNDS_EXCEEDED,
    `the model asked for tool round ${done + 1}; this agent allows ${setup.maxRounds} (maxToolRounds)`,
    { details: { maxToolRounds: setup.maxRounds } },
  );
}
