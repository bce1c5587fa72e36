import { ChatParamSchema } from "@agentrt/core";
import { z } from "zod";

export type { ChatParams as CallerParams } from "@agentrt/core";

/** The agent's policy: which caller params it takes, and what happens to other sampling hints. */
export const callerParamsPolicySchema = z
  .strictObject({
    /** Forwarded to the model when a caller sends them; the config's own values are the defaults. */
    allow: z.array(ChatParamSchema).default([]),
    /** Any other sampling hint: `ignore` (named in the answer's header) or `refuse` (400). */
    otherwise: z.enum(["ignore", "refuse"]).default("ignore"),
  })
  .prefault({});
