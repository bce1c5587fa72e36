import { AgentrtError, ErrorCode, type KeySource, lookupApiKey } from "@agentrt/core";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { ServerTool } from "./server-tools.js";
import type { McpServerSettings } from "./settings.js";

/** The SDK's own request timeout is lifted: the agent's per-tool timeout (`toolTimeoutMs`) governs. */
const NO_SDK_TIMEOUT = 3_600_000;

interface McpContent {
  type: string;
  text?: string;
}

/** A tool result as text for the model: its text parts, other parts (images, resources …) as JSON. */
function resultText(result: {
  content?: unknown;
  structuredContent?: unknown;
  toolResult?: unknown;
}): string {
  // A server on the protocol's first version answers with `toolResult`.
  if ("toolResult" in result) return JSON.stringify(result.toolResult);
  const parts = Array.isArray(result.content) ? (result.content as McpContent[]) : [];
  if (parts.length === 0 && result.structuredContent !== undefined)
    return JSON.stringify(result.structuredContent);
  return parts
    .map((part) => (part.type === "text" && typeof part.text === "string" ? part.text : JSON.stringify(part)))
    .join("\n");
}

/**
 * The tools of one operator-configured MCP server, over Streamable HTTP with the SDK's client. One
 * connection per agent instance, opened on first use; a failed request drops it, so the next one
 * reconnects (a restarted server is picked up). The tool list is read once per connection.
 */
export function createMcpSource(
  name: string,
  settings: McpServerSettings,
  wanted: readonly string[] | undefined,
  keys: KeySource,
) {
  let connection: Promise<{ client: Client; tools: ServerTool[] }> | undefined;

  async function headers(): Promise<Record<string, string>> {
    const resolved: Record<string, string> = {};
    for (const [header, ref] of Object.entries(settings.headers)) {
      const found = await lookupApiKey(ref, keys);
      if ("message" in found)
        throw new AgentrtError(
          ErrorCode.INTERNAL,
          `MCP server "${name}", header ${header}: ${found.message}`,
        );
      resolved[header] = found.key;
    }
    return resolved;
  }

  const offered = (tool: string) =>
    (settings.tools === undefined || settings.tools.includes(tool)) &&
    (wanted === undefined || wanted.includes(tool));

  function drop(): void {
    const closing = connection;
    connection = undefined;
    void closing?.then(({ client }) => client.close()).catch(() => {});
  }

  function toServerTool(
    client: Client,
    tool: { name: string; description?: string; inputSchema: Record<string, unknown> },
  ): ServerTool {
    return {
      definition: {
        type: "function",
        function: {
          name: tool.name,
          ...(tool.description ? { description: tool.description } : {}),
          parameters: tool.inputSchema,
        },
      },
      async run(args, _runCtx, signal) {
        const parsed: unknown = JSON.parse(args || "{}");
        try {
          const result = await client.callTool(
            { name: tool.name, arguments: parsed as Record<string, unknown> },
            undefined,
            { signal, timeout: NO_SDK_TIMEOUT },
          );
          const text = resultText(result as Parameters<typeof resultText>[0]);
          // The server's tool failed: the model gets its message as an error result.
          if (result.isError) throw new Error(text || "the tool reported an error");
          return text;
        } catch (error) {
          if (!signal.aborted && !(error instanceof Error && error.message.startsWith("the tool"))) drop();
          throw error;
        }
      },
    };
  }

  async function connect(): Promise<{ client: Client; tools: ServerTool[] }> {
    const transport = new StreamableHTTPClientTransport(new URL(settings.url), {
      requestInit: { headers: await headers() },
    });
    const client = new Client({ name: "agentrt-conversation", version: "1.0.0" });
    await client.connect(transport);
    const tools: ServerTool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : undefined);
      for (const tool of page.tools) if (offered(tool.name)) tools.push(toServerTool(client, tool));
      cursor = page.nextCursor;
    } while (cursor);
    return { client, tools };
  }

  return {
    /** The server's offered tools; UPSTREAM_ERROR when it can't be reached or listed. */
    async load(): Promise<ServerTool[]> {
      connection ??= connect();
      try {
        return (await connection).tools;
      } catch (error) {
        drop();
        if (error instanceof AgentrtError) throw error;
        throw new AgentrtError(
          ErrorCode.UPSTREAM_ERROR,
          `MCP server "${name}" failed: ${(error as Error).message}`,
          {
            cause: error,
            details: { mcpServer: name },
          },
        );
      }
    },
    close(): void {
      drop();
    },
  };
}
