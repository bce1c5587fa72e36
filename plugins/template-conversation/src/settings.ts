import { AgentrtError, ApiKeyRefSchema, ErrorCode, type FieldIssue, toFieldIssues } from "@agentrt/core";
import { z } from "zod";

/** An MCP server the operator lets conversation agents use, by name. */
export const McpServerSettingsSchema = z.strictObject({
  /** Streamable HTTP endpoint, e.g. `https://tools.internal/mcp`. */
  url: z.url({ protocol: /^https?$/ }),
  /** Request headers, each from an env variable or a secret (e.g. `Authorization`). */
  headers: z.record(z.string(), ApiKeyRefSchema).default({}),
  /** When set, only these of the server's tools are offered to agents. */
  tools: z.array(z.string()).optional(),
});
export type McpServerSettings = z.infer<typeof McpServerSettingsSchema>;

/**
 * Operator settings for the conversation template (`AGENTRT_TEMPLATE_SETTINGS.conversation`).
 * Agent configs name MCP servers from here; they never give a URL themselves.
 */
export const ConversationSettingsSchema = z.object({
  mcpServers: z.record(z.string(), McpServerSettingsSchema).default({}),
});
export type ConversationSettings = z.infer<typeof ConversationSettingsSchema>;

/** Parses the operator's settings; a bad setting is the operator's error (INTERNAL), never the author's. */
export function parseSettings(raw: unknown): ConversationSettings {
  const parsed = ConversationSettingsSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new AgentrtError(
      ErrorCode.INTERNAL,
      `invalid settings for template "conversation": ${parsed.error.message}`,
      {
        issues: toFieldIssues(parsed.error, ["settings"]),
      },
    );
  }
  return parsed.data;
}

/** The `validate` half: every `mcp` tool names a server the operator configured. */
export function checkMcpServers(
  tools: readonly { type: string; server?: string }[],
  settings: Readonly<Record<string, unknown>>,
): FieldIssue[] {
  const servers = parseSettings(settings).mcpServers;
  const known = Object.keys(servers);
  return tools.flatMap((tool, index) =>
    tool.type === "mcp" && !Object.hasOwn(servers, tool.server!)
      ? [
          {
            path: ["tools", index, "server"],
            message: `no MCP server "${tool.server}" is configured (operator settings name: ${known.join(", ") || "none"})`,
          },
        ]
      : [],
  );
}
