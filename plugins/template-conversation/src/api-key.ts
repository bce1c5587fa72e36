import { AgentrtError, ErrorCode, type FieldIssue, type TemplateContext } from "@agentrt/core";
import type { ApiKeyRef } from "./config-schema.js";

/**
 * What this template expects at `ctx.services.secrets` when the host stores secrets. Returning
 * `undefined` means the secret does not exist.
 */
export interface SecretStore {
  get(name: string): Promise<string | undefined> | string | undefined;
}

type KeyLookup = { key: string } | { issue: FieldIssue };

function secretStoreOf(ctx: TemplateContext): SecretStore | undefined {
  const candidate = ctx.services.secrets as Partial<SecretStore> | undefined;
  return typeof candidate?.get === "function" ? (candidate as SecretStore) : undefined;
}

/** Reads the referenced key, reporting a problem as data so validation and runs share one path. */
async function lookupApiKey(ref: ApiKeyRef, ctx: TemplateContext): Promise<KeyLookup> {
  if ("env" in ref) {
    const key = ctx.env[ref.env];
    return key
      ? { key }
      : {
          issue: {
            path: ["apiKey", "env"],
            message: `environment variable ${ref.env} is not set on the server`,
          },
        };
  }
  const store = secretStoreOf(ctx);
  if (!store) {
    return {
      issue: {
        path: ["apiKey", "secret"],
        message: 'this server has no secret store; reference the key with { "env": "VAR_NAME" } instead',
      },
    };
  }
  const key = await store.get(ref.secret);
  return key
    ? { key }
    : {
        issue: { path: ["apiKey", "secret"], message: `secret "${ref.secret}" does not exist on the server` },
      };
}

/** The `validate` half: an unresolvable key is a config issue (422), never the key itself. */
export async function checkApiKey(ref: ApiKeyRef, ctx: TemplateContext): Promise<FieldIssue[]> {
  const found = await lookupApiKey(ref, ctx);
  return "issue" in found ? [found.issue] : [];
}

/**
 * Resolves the key for one upstream request. Read per request, not cached, so a rotated secret or
 * a changed environment takes effect without recreating the agent.
 */
export async function resolveApiKey(ref: ApiKeyRef, ctx: TemplateContext): Promise<string> {
  const found = await lookupApiKey(ref, ctx);
  if ("issue" in found) {
    throw new AgentrtError(ErrorCode.CONFIG_INVALID, found.issue.message, { issues: [found.issue] });
  }
  return found.key;
}
