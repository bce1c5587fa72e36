import { AgentrtError, ApiKeyRefSchema, ErrorCode, type FieldIssue, toFieldIssues } from "@agentrt/core";
import { createEgressPolicy, fixedOrigin, validateAllowEntry } from "@agentrt/egress";
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
  /**
   * Internal destinations `http` tools may reach: host names, IP addresses or CIDR ranges (as the
   * task template's `allowInternal`). Every other loopback, private, link-local … address is refused.
   */
  allowInternal: z
    .array(
      z.string().superRefine((entry, ctx) => {
        const problem = validateAllowEntry(entry);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      }),
    )
    .default([]),
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

/**
 * The `validate` half for `http` tools: a URL whose fixed origin the egress policy refuses without
 * DNS (an internal IP literal the operator did not allow, a blocked port) is a config issue, not a
 * runtime surprise. (The config schema has made sure the origin is written out.)
 */
export function checkHttpUrls(
  tools: readonly { type: string; url?: string }[],
  settings: Readonly<Record<string, unknown>>,
): FieldIssue[] {
  if (!tools.some((tool) => tool.type === "http")) return [];
  const policy = createEgressPolicy({ allow: parseSettings(settings).allowInternal });
  try {
    return tools.flatMap((tool, index) => {
      if (tool.type !== "http") return [];
      try {
        policy.checkUrl(fixedOrigin(tool.url!)!);
        return [];
      } catch (error) {
        return [
          {
            path: ["tools", index, "url"],
            message: `refused by the egress policy: ${(error as Error).message}`,
          },
        ];
      }
    });
  } finally {
    policy.close();
  }
}
