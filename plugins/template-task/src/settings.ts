import { AgentrtError, ErrorCode } from "@agentrt/core";
import { validateAllowEntry } from "@agentrt/egress";
import { z } from "zod";

const AllowEntrySchema = z.string().superRefine((entry, ctx) => {
  const problem = validateAllowEntry(entry);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/**
 * Operator settings for the task template (`ctx.settings`, from the server configuration). Agent
 * authors and callers never set these.
 */
export const TaskSettingsSchema = z.object({
  /**
   * Internal destinations `http` and `llm` steps may reach: host names (`models.internal`,
   * `*.svc.cluster.local`), IP addresses or CIDR ranges. Every other loopback, private,
   * link-local … address is refused. Default: none.
   */
  allowInternal: z.array(AllowEntrySchema).default([]),
});

export type TaskSettings = z.output<typeof TaskSettingsSchema>;

/** Parses operator settings; a bad setting is the operator's error, never the agent author's. */
export function parseTaskSettings(raw: unknown): TaskSettings {
  const parsed = TaskSettingsSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new AgentrtError(
      ErrorCode.INTERNAL,
      `invalid settings for template "task": ${parsed.error.message}`,
      {
        issues: parsed.error.issues.map((issue) => ({
          path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
          message: issue.message,
        })),
      },
    );
  }
  return parsed.data;
}
