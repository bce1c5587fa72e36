import {
  AgentrtError,
  type ApiKeyRef,
  ErrorCode,
  type FieldIssue,
  type KeySource,
  lookupApiKey,
} from "@agentrt/core";

/**
 * The `validate` half: an unresolvable key is a config issue (422), never the key itself. The
 * context's env and `services.secrets` (optional service) are where keys are looked up.
 */
export async function checkApiKey(ref: ApiKeyRef, ctx: KeySource): Promise<FieldIssue[]> {
  const found = await lookupApiKey(ref, ctx);
  return "message" in found ? [{ path: ["apiKey", ...found.path], message: found.message }] : [];
}

/**
 * Resolves the key for one upstream request. Read per request, not cached, so a rotated secret or
 * a changed environment takes effect without recreating the agent.
 */
export async function resolveApiKey(ref: ApiKeyRef, ctx: KeySource): Promise<string> {
  const found = await lookupApiKey(ref, ctx);
  if ("message" in found) {
    throw new AgentrtError(ErrorCode.CONFIG_INVALID, found.message, {
      issues: [{ path: ["apiKey", ...found.path], message: found.message }],
    });
  }
  return found.key;
}
