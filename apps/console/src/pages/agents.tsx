import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorNote, Link, Loading, Page, when } from "../components.js";
import { AgentForm, type AgentFormValue, agentFormSchema } from "../lib/config-form.js";
import { unwrap } from "../lib/problem.js";
import { navigate } from "../lib/router.js";
import type { Session } from "../lib/session.js";

export function useTemplates(session: Session) {
  return useQuery({
    queryKey: ["templates"],
    queryFn: async () => unwrap(await session.api.GET("/v1/templates")),
  });
}

export function useConfigSchema(session: Session, name: string | undefined, version: string | undefined) {
  return useQuery({
    queryKey: ["schema", name, version],
    enabled: Boolean(name && version),
    queryFn: async () =>
      unwrap(
        await session.api.GET("/v1/templates/{name}/versions/{version}/schema", {
          params: { path: { name: name!, version: version! } },
        }),
      ),
  });
}

export function AgentsPage({ session }: { session: Session }) {
  const [status, setStatus] = useState("");
  const [template, setTemplate] = useState("");
  const templates = useTemplates(session);
  const agents = useQuery({
    queryKey: ["agents", status, template],
    queryFn: async () =>
      unwrap(
        await session.api.GET("/v1/agents", {
          params: {
            query: {
              limit: 200,
              ...(status ? { status: status as "active" | "paused" } : {}),
              ...(template ? { template } : {}),
            },
          },
        }),
      ),
  });
  return (
    <Page
      title="Agents"
      actions={
        session.can.admin ? (
          <Link to="/agents/new" className="button">
            New agent
          </Link>
        ) : null
      }
    >
      <div className="filters">
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">any</option>
            <option value="active">active</option>
            <option value="paused">paused</option>
          </select>
        </label>
        <label>
          Template
          <select value={template} onChange={(e) => setTemplate(e.target.value)}>
            <option value="">any</option>
            {templates.data?.data.map((t) => (
              <option key={t.name}>{t.name}</option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNote error={agents.error} />
      {agents.isPending ? (
        <Loading what="agents" />
      ) : (
        <table>
          <caption className="sr-only">Agents</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Template</th>
              <th scope="col">Revision</th>
              <th scope="col">Status</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {agents.data?.data.map((a) => (
              <tr key={a.id}>
                <td>
                  <Link to={`/agents/${encodeURIComponent(a.name)}`}>{a.name}</Link>
                </td>
                <td>
                  {a.template.name}@{a.template.version}
                </td>
                <td>{a.revision}</td>
                <td>{a.status}</td>
                <td>{when(a.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

export function NewAgentPage({ session }: { session: Session }) {
  const queryClient = useQueryClient();
  const templates = useTemplates(session);
  const [templateName, setTemplateName] = useState("");
  const chosen = templates.data?.data.find((t) => t.name === templateName) ?? templates.data?.data[0];
  const schema = useConfigSchema(session, chosen?.name, chosen?.latest);
  const [value, setValue] = useState<AgentFormValue>({});
  const create = useMutation({
    mutationFn: async (v: AgentFormValue) =>
      unwrap(
        await session.api.POST("/v1/agents", {
          body: {
            name: v.name ?? "",
            template: chosen!.name,
            ...(v.description ? { description: v.description } : {}),
            config: v.config ?? {},
          },
        }),
      ),
    onSuccess: async (agent) => {
      await queryClient.invalidateQueries({ queryKey: ["agents"] });
      navigate(`/agents/${encodeURIComponent(agent.name)}`);
    },
  });
  return (
    <Page title="New agent">
      <label>
        Template
        <select value={chosen?.name ?? ""} onChange={(e) => setTemplateName(e.target.value)}>
          {templates.data?.data.map((t) => (
            <option key={t.name} value={t.name}>
              {t.name} ({t.latest})
            </option>
          ))}
        </select>
      </label>
      <ErrorNote error={templates.error ?? schema.error ?? create.error} />
      {schema.data ? (
        <AgentForm
          key={chosen?.name}
          schema={agentFormSchema(schema.data, false)}
          value={value}
          error={create.error}
          submitLabel="Create agent"
          disabled={create.isPending}
          onChange={setValue}
          onSubmit={(v) => create.mutate(v)}
        />
      ) : (
        <Loading what="config schema" />
      )}
    </Page>
  );
}
