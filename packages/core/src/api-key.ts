import { z } from "zod";
import type { TemplateContext } from "./template.js";

/**
 * A reference to a provider API key: an environment variable of the server or a secret in the host's
 * store (`ctx.services.secrets`). Configs hold only the reference, so keys are never stored with an
 * agent nor echoed back by the API. Shared by every template that calls a model provider.
 */
export const ApiKeyRefSchema = z.union([
  z.strictObject({
    env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name, e.g. OPENAI_API_KEY"),
  }),
  z.strictObject({ secret: z.string().min(1).max(200) }),
]);
export type ApiKeyRef = z.output<typeof ApiKeyRefSchema>;

/** What a host offers at `ctx.services.secrets`; `undefined` means the secret does not exist. */
export interface SecretStore {
  get(name: string): Promise<string | undefined> | string | undefined;
}

/** Where references are looked up: the environment and the host's optional secret store. */
export type KeySource = Pick<TemplateContext, "env" | "services">;

/** The key, or why it cannot be had, with the offending field's path inside the reference. */
export type KeyLookup = { key: string } | { path: ["env"] | ["secret"]; message: string };

function secretStoreOf(source: KeySource): SecretStore | undefined {
  const candidate = source.services.secrets as Partial<SecretStore> | undefined;
  return typeof candidate?.get === "function" ? (candidate as SecretStore) : undefined;
}

/**
 * Reads a referenced key. Validation (report a 422 issue) and runs (read per request, so rotated
 * secrets take effect without recreating the agent) share this one path.
 */
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
