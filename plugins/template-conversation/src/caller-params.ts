import { ChatParamSchema } from "@agentrt/core";
import { z } from "zod";

export type { ChatParams as CallerParams } from "@agentrt/core";

/**
 * Caller tools every conversation agent takes, so `callerParams.allow` does not list them: the
 * model may call them and the caller runs them, which gives a caller no reach beyond its messages.
 */
export const CLIENT_TOOL_PARAMS = ["tools", "tool_choice", "parallel_tool_calls"] as const;

/** The agent's policy: which caller params it takes, and what happens to other sampling hints. */
export const callerParamsPolicySchema = z
  .strictObject({
    /** Forwarded to the model when a caller sends them; the config's own values are the defaults. */
    allow: z.array(ChatParamSchema.exclude([...CLIENT_TOOL_PARAMS])).default([]),
    /** Any other sampling hint: `ignore` (named in the answer's header) or `refuse` (400). */
    otherwise: z.enum(["ignore", "refuse"]).default("ignore"),
  })
  .prefault({});
