import { z } from "zod";
import type { SecretStore } from "./services.js";

/**
 * A reference to a provider API key: an environment variable of the server or a secret in the host's
 * store (the `secrets` service). Configs hold only the reference, so keys are never stored with an
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

/**
 * Where references are looked up: the environment and the host's secret store, which a template gets
 * by declaring `secrets: optionalService(coreServices.secrets)`. A template context fits as it is.
 */
export interface KeySource {
  env: Readonly<Record<string, string | undefined>>;
  services: { readonly secrets?: SecretStore | undefined };
}

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
