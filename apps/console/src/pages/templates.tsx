import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorNote, Json, Loading, Page } from "../components.js";
import { unwrap } from "../lib/problem.js";
import type { Session } from "../lib/session.js";
import { useConfigSchema, useTemplates } from "./agents.js";

function SchemaView({ session, name, version }: { session: Session; name: string; version: string }) {
  const schema = useConfigSchema(session, name, version);
  if (schema.isPending) return <Loading what="schema" />;
  return schema.data ? (
    <Json value={schema.data} label={`Config schema of ${name}@${version}`} />
  ) : (
    <ErrorNote error={schema.error} />
  );
}

function Catalog({ session }: { session: Session }) {
  const [q, setQ] = useState("");
  const [query, setQuery] = useState<string>();
  const catalog = useQuery({
    queryKey: ["catalog", query],
    enabled: query !== undefined,
    retry: false,
    queryFn: async () =>
      unwrap(
        await session.api.GET("/v1/templates/catalog", {
          params: { query: { ...(query ? { q: query } : {}) } },
        }),
      ),
  });
  return (
    <form
      className="card"
      aria-labelledby="catalog-title"
      onSubmit={(e) => {
        e.preventDefault();
        setQuery(q);
      }}
    >
      <h2 id="catalog-title">Catalog</h2>
      <label>
        Search the registry
        <input type="search" value={q} onChange={(e) => setQ(e.target.value)} />
      </label>
      <button type="submit">Search</button>
      <ErrorNote error={catalog.error} />
      {catalog.isFetching ? <Loading what="catalog" /> : null}
      {catalog.data ? (
        <table>
          <caption className="sr-only">Catalog results</caption>
          <thead>
            <tr>
              <th scope="col">Package</th>
              <th scope="col">Version</th>
              <th scope="col">Compatible</th>
              <th scope="col">Installed</th>
            </tr>
          </thead>
          <tbody>
            {catalog.data.data.map((c) => (
              <tr key={c.packageName}>
                <td>{c.packageName}</td>
                <td>{c.version}</td>
                <td>{c.compatible ? "yes" : `no: ${c.code} ${c.reason ?? ""}`}</td>
                <td>{c.installedVersions.join(", ") || "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </form>
  );
}

export function TemplatesPage({ session }: { session: Session }) {
  const templates = useTemplates(session);
  const [open, setOpen] = useState<string>();
  return (
    <Page title="Templates">
      <ErrorNote error={templates.error} />
      {templates.isPending ? <Loading what="templates" /> : null}
      <h2>Installed</h2>
      <table>
        <caption className="sr-only">Installed template versions</caption>
        <thead>
          <tr>
            <th scope="col">Template</th>
            <th scope="col">Version</th>
            <th scope="col">Package</th>
            <th scope="col">Capabilities</th>
            <th scope="col">Config schema</th>
          </tr>
        </thead>
        <tbody>
          {templates.data?.data.flatMap((t) =>
            t.versions.map((v) => {
              const id = `${t.name}@${v.version}`;
              return (
                <tr key={id}>
                  <td>{t.name}</td>
                  <td>{v.version}</td>
                  <td>{v.packageName}</td>
                  <td>{v.capabilities.join(", ") || "—"}</td>
                  <td>
                    <button
                      type="button"
                      aria-expanded={open === id}
                      onClick={() => setOpen(open === id ? undefined : id)}
                    >
                      {open === id ? "Hide" : "Show"} schema of {id}
                    </button>
                  </td>
                </tr>
              );
            }),
          )}
        </tbody>
      </table>
      {open ? (
        <SchemaView session={session} name={open.split("@")[0]!} version={open.split("@")[1]!} />
      ) : null}
      <h2>Rejected</h2>
      {templates.data?.rejected.length ? (
        <table>
          <caption className="sr-only">Rejected template packages</caption>
          <thead>
            <tr>
              <th scope="col">Package</th>
              <th scope="col">Version</th>
              <th scope="col">Code</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {templates.data.rejected.map((r) => (
              <tr key={`${r.packageName}@${r.packageVersion}`}>
                <td>{r.packageName}</td>
                <td>{r.packageVersion ?? "—"}</td>
                <td>
                  <code>{r.code}</code>
                </td>
                <td>{r.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>None.</p>
      )}
      <Catalog session={session} />
    </Page>
  );
}
