import { isAgentrtError } from "@agentrt/core";
import type { AgentRecord, ApiKeyRecord, Runtime, StoredRunEvent } from "@agentrt/runtime";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode as JsonRpcErrorCode,
  ListToolsRequestSchema,
  McpError,
} from "@modelcontextprotocol/sdk/types.js";
import { hasScope } from "../../lib/auth.js";
import { SERVER_VERSION } from "../../version.js";
import { toAgentTool, toRunInput } from "./mcp-tools.js";

const toolError = (text: string): CallToolResult => ({ isError: true, content: [{ type: "text", text }] });

/** Like an unknown tool for a key that may not invoke agents: it learns nothing about them. */
const unknownTool = (name: string) => new McpError(JsonRpcErrorCode.InvalidParams, `Unknown tool: ${name}`);

/** What a run event says as a progress message; `undefined` for events not worth one. */
function progressMessage(data: StoredRunEvent["data"]): string | undefined {
  switch (data.type) {
    case "run.started":
      return "run started";
    case "step.started":
      return `step ${data.name ?? data.stepId} started`;
    case "step.finished":
      return `step ${data.stepId} ${data.status}`;
    case "progress":
      return `${data.done} of ${data.total}`;
    case "log":
      return data.message;
    default:
      return undefined;
  }
}

/**
 * An MCP server (the SDK's low-level `Server`: the tools are the agents, known only per request)
 * for one request and one API key. `tools/list` lists the active agents the key may invoke;
 * `tools/call` runs one without a thread and answers with its reply text once it ends, sending run
 * events as progress notifications when the caller asked for them (a `progressToken`). A run that
 * fails or input the agent refuses is a tool error (`isError`) with the code, so the calling
 * model can read it; a client that cancels the request cancels the run.
 */
export function createAgentServer(runtime: Runtime, key: ApiKeyRecord): Server {
  const server = new Server({ name: "agentrt", version: SERVER_VERSION }, { capabilities: { tools: {} } });
  const mayInvoke = hasScope(key.scopes, "invoke");

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const agents = mayInvoke ? await runtime.chat.listModels() : [];
    return { tools: agents.map((agent) => toAgentTool(agent, runtime.registry)) };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name, arguments: args } = request.params;
    if (!mayInvoke) throw unknownTool(name);
    let agent: AgentRecord;
    try {
      agent = await runtime.chat.resolveModel(name);
    } catch {
      throw unknownTool(name);
    }
    if (agent.status !== "active") throw unknownTool(name);

    let runId: string;
    try {
      const input = toRunInput(agent, runtime.registry, args);
      runId = (await runtime.runs.submit({ agent, input, threadId: null })).run.id;
    } catch (error) {
      if (isAgentrtError(error)) return toolError(`${error.code}: ${error.message}`);
      throw error;
    }
    const cancel = () => void runtime.engine.cancel(runId).catch(() => {});
    extra.signal.addEventListener("abort", cancel, { once: true });

    const progressToken = extra._meta?.progressToken;
    let progress = 0;
    try {
      for await (const { data } of runtime.engine.follow(runId, 0, extra.signal)) {
        if (data.type === "run.finished") {
          if (data.status !== "succeeded") {
            return toolError(
              `${data.error?.code ?? data.status}: ${data.error?.message ?? `the run ended ${data.status}`}`,
            );
          }
          const text = runtime.chat.adapterFor(agent).replyText(data.output);
          return { content: [{ type: "text", text }] } satisfies CallToolResult;
        }
        const message = progressToken === undefined ? undefined : progressMessage(data);
        if (message === undefined) continue;
        const total = data.type === "progress" ? { total: data.total } : {};
        progress = data.type === "progress" ? Math.max(progress, data.done) : progress + 1;
        await extra.sendNotification({
          method: "notifications/progress",
          params: { progressToken: progressToken!, progress, message, ...total },
        });
      }
    } finally {
      extra.signal.removeEventListener("abort", cancel);
    }
    // The follower stopped before the end: the request was cancelled.
    return toolError("RUN_CANCELLED: the request was cancelled");
  });
  return server;
}
