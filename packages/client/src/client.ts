import createFetchClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./generated/openapi.js";

export type { components, paths };
export type Schemas = components["schemas"];
export type Agent = Schemas["Agent"];
export type Run = Schemas["Run"];
export type Problem = Schemas["Problem"];

export interface ClientOptions {
  /** The server's origin, e.g. `http://127.0.0.1:7070`; `""` in a page served by that server. */
  baseUrl: string;
  /** An agentrt API key (`art_…`), sent as `Authorization: Bearer`. */
  apiKey: string;
  /** Another fetch (tests, proxies); the global one by default. */
  fetch?: typeof globalThis.fetch;
}

export type AgentrtClient = Client<paths>;

/**
 * A typed client of the REST API: every path, parameter, body and answer is checked against the
 * server's OpenAPI document. Calls resolve to `{ data }` or `{ error }` (a problem+json `Problem`).
 */
export function createClient(options: ClientOptions): AgentrtClient {
  return createFetchClient<paths>({
    baseUrl: options.baseUrl,
    headers: { authorization: `Bearer ${options.apiKey}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
