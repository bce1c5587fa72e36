import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorNote, Loading, Page, when } from "../components.js";
import { unwrap } from "../lib/problem.js";
import type { Session } from "../lib/session.js";

const SCOPES = ["read", "invoke", "admin"] as const;
type Scope = (typeof SCOPES)[number];

export function ApiKeysPage({ session }: { session: Session }) {
  const queryClient = useQueryClient();
  const keys = useQuery({
    queryKey: ["api-keys"],
    enabled: session.can.admin,
    queryFn: async () => unwrap(await session.api.GET("/v1/api-keys", { params: { query: { limit: 200 } } })),
  });
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(["read"]);
  const create = useMutation({
    mutationFn: async () => unwrap(await session.api.POST("/v1/api-keys", { body: { name, scopes } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["api-keys"] }),
  });
  const revoke = useMutation({
    mutationFn: async (id: string) =>
      unwrap(await session.api.DELETE("/v1/api-keys/{id}", { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["api-keys"] }),
  });
  if (!session.can.admin)
    return (
      <Page title="API keys">
        <p>Managing keys needs an admin key.</p>
      </Page>
    );
  return (
    <Page title="API keys">
      <ErrorNote error={keys.error ?? revoke.error} />
      {keys.isPending ? (
        <Loading what="keys" />
      ) : (
        <table>
          <caption className="sr-only">API keys</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Prefix</th>
              <th scope="col">Scopes</th>
              <th scope="col">Last used</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {keys.data?.data.map((k) => (
              <tr key={k.id}>
                <td>{k.name}</td>
                <td>
                  <code>{k.prefix}…</code>
                </td>
                <td>{k.scopes.join(", ")}</td>
                <td>{when(k.lastUsedAt)}</td>
                <td>
                  <button type="button" onClick={() => revoke.mutate(k.id)}>
                    Revoke {k.name}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        className="card"
        aria-labelledby="new-key"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <h2 id="new-key">New key</h2>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <fieldset>
          <legend>Scopes</legend>
          {SCOPES.map((s) => (
            <label key={s} className="inline">
              <input
                type="checkbox"
                checked={scopes.includes(s)}
                onChange={(e) => setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))}
              />
              {s}
            </label>
          ))}
        </fieldset>
        <ErrorNote error={create.error} />
        <button type="submit" disabled={create.isPending}>
          Create key
        </button>
        {create.data ? (
          <div role="status" className="secret">
            <p>Copy the key now: it is shown only this once.</p>
            <output aria-label="New API key" data-testid="new-key">
              {create.data.key}
            </output>
          </div>
        ) : null}
      </form>
    </Page>
  );
}
