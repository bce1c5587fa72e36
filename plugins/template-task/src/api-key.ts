import type { FieldIssue, TemplateContext } from "@agentrt/core";
import type { ApiKeyRef, TaskConfig } from "./config-schema.js";

/**
 * What this template expects at `ctx.services.secrets` when the host stores secrets (the same shape
 * the conversation template uses). Returning `undefined` means the secret does not exist.
 */
export interface SecretStore {
  get(name: string): Promise<string | undefined> | string | undefined;
}

/** Where `apiKey` references are looked up: the environment and the host's optional secret store. */
export type KeySource = Pick<TemplateContext, "env" | "services">;

/** The key, or why it cannot be had, with the path of the offending field inside `apiKey`. */
export type KeyLookup = { key: string } | { path: ["env"] | ["secret"]; message: string };

function secretStoreOf(source: KeySource): SecretStore | undefined {
  const candidate = source.services.secrets as Partial<SecretStore> | undefined;
  return typeof candidate?.get === "function" ? (candidate as SecretStore) : undefined;
}

/** Reads a referenced key; validation and runs share this one path. */
export async function lookupApiKey(ref: ApiKeyRef, source: KeySource): Promise<KeyLookup> {
  if ("env" in ref) {
    const key = source.env[ref.env];
    return key
      ? { key }
      : { path: ["env"], message: `environment variable ${ref.env} is not set on the server` };
  }
  const store = secretStoreOf(source);
  if (!store) {
    return {
      path: ["secret"],
      message: 'this server has no secret store; reference the key with { "env": "VAR_NAME" } instead',
    };
  }
  const key = await store.get(ref.secret);
  return key ? { key } : { path: ["secret"], message: `secret "${ref.secret}" does not exist on the server` };
}

/** The `validate` hook: every `llm` step's key must resolve now, reported at its step (a 422). */
export async function validateApiKeys(config: TaskConfig, source: KeySource): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  for (const [index, step] of config.steps.entries()) {
    if (step.kind !== "llm" || step.apiKey === undefined) continue;
    const found = await lookupApiKey(step.apiKey, source);
    if ("message" in found) {
      issues.push({ path: ["steps", index, "apiKey", ...found.path], message: found.message });
    }
  }
  return issues;
}
