import { type AgentrtClient, createClient } from "@agentrt/client";

/** The API key lives in this tab's sessionStorage only: gone when the tab closes, never in a URL. */
const KEY = "agentrt.apiKey";

export const savedKey = (): string | null => sessionStorage.getItem(KEY);
export const saveKey = (key: string) => sessionStorage.setItem(KEY, key);
export const forgetKey = () => sessionStorage.removeItem(KEY);

/** What the signed-in key may do; the console hides controls it lacks, the server refuses them anyway. */
export interface Abilities {
  admin: boolean;
  invoke: boolean;
}

export interface Session {
  apiKey: string;
  api: AgentrtClient;
  can: Abilities;
}

/**
 * Checks a key and learns its scopes. The API has no "who am I" route, so the console asks two
 * questions that change nothing: listing keys needs `admin`; cancelling a run that does not exist
 * answers 404 to an `invoke` key and 403 to a `read` key.
 */
export async function openSession(apiKey: string): Promise<Session> {
  const api = createClient({ baseUrl: "", apiKey });
  const check = await api.GET("/v1/agents", { params: { query: { limit: 1 } } });
  if (check.error) throw new Error(check.error.detail ?? check.error.title ?? "The key was refused");
  const admin = (await api.GET("/v1/api-keys", { params: { query: { limit: 1 } } })).response.ok;
  const invoke =
    admin ||
    (await api.POST("/v1/runs/{id}/cancel", { params: { path: { id: "run_probe" } } })).response.status !==
      403;
  return { apiKey, api, can: { admin, invoke } };
}
