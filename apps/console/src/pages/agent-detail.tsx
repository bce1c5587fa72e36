import type { Agent } from "@agentrt/client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import diff from "microdiff";
import { useState } from "react";
import { ErrorNote, Json, Loading, ms, Page, pct, when } from "../components.js";
import { AgentForm, type AgentFormValue, agentFormSchema } from "../lib/config-form.js";
import { unwrap } from "../lib/problem.js";
import { navigate } from "../lib/router.js";
import type { Session } from "../lib/session.js";
import { useConfigSchema } from "./agents.js";

export function AgentPage({ session, name }: { session: Session; name: string }) {
  const queryClient = useQueryClient();
  const path = { params: { path: { agent: name } } };
  const agent = useQuery({
    queryKey: ["agent", name],
    queryFn: async () => unwrap(await session.api.GET("/v1/agents/{agent}", path)),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["agent", name] });
  const toggle = useMutation({
    mutationFn: async (paused: boolean) =>
      unwrap(await session.api.POST(paused ? "/v1/agents/{agent}/resume" : "/v1/agents/{agent}/pause", path)),
    onSuccess: refresh,
  });
  if (agent.isPending) return <Loading what="agent" />;
  if (!agent.data) return <ErrorNote error={agent.error} />;
  const a = agent.data;
  return (
    <Page
      title={`Agent ${a.name}`}
      actions={
        session.can.admin ? (
          <button
            type="button"
            onClick={() => toggle.mutate(a.status === "paused")}
            disabled={toggle.isPending}
          >
            {a.status === "paused" ? "Resume" : "Pause"}
          </button>
        ) : null
      }
    >
      <ErrorNote error={toggle.error} />
      <dl className="facts">
        <dt>Template</dt>
        <dd>
          {a.template.name}@{a.template.version} (range {a.template.range})
        </dd>
        <dt>Revision</dt>
        <dd>{a.revision}</dd>
        <dt>Status</dt>
        <dd>{a.status}</dd>
        <dt>Updated</dt>
        <dd>{when(a.updatedAt)}</dd>
      </dl>
      <LastHour session={session} name={a.name} />
      {session.can.invoke ? <RunForm session={session} agent={a} /> : null}
      {session.can.admin ? (
        <EditAgent session={session} agent={a} onSaved={refresh} />
      ) : (
        <Json value={a.config} label="Config" />
      )}
      {session.can.admin ? <Upgrade session={session} agent={a} onDone={refresh} /> : null}
      <Revisions session={session} agent={a} />
    </Page>
  );
}

/** The agent's health over the last hour, as the server counts it (stored runs and completions alike). */
function LastHour({ session, name }: { session: Session; name: string }) {
  const stats = useQuery({
    queryKey: ["agent-stats", name],
    refetchInterval: 10_000,
    queryFn: async () =>
      unwrap(await session.api.GET("/v1/agents/{agent}/stats", { params: { path: { agent: name } } })),
  });
  if (!stats.data) return <ErrorNote error={stats.error} />;
  const s = stats.data;
  return (
    <section className="card" aria-labelledby="last-hour-title">
      <h2 id="last-hour-title">Last hour</h2>
      <dl className="facts">
        <dt>Runs</dt>
        <dd>{s.runs}</dd>
        <dt>Error rate</dt>
        <dd>{pct(s.errorRate)}</dd>
        <dt>p50 duration</dt>
        <dd>{ms(s.p50Ms)}</dd>
        <dt>p95 duration</dt>
        <dd>{ms(s.p95Ms)}</dd>
      </dl>
    </section>
  );
}

function RunForm({ session, agent }: { session: Session; agent: Agent }) {
  const [input, setInput] = useState('"hello"');
  const [parseError, setParseError] = useState<string>();
  const run = useMutation({
    mutationFn: async (value: unknown) => {
      const started = unwrap(
        await session.api.POST("/v1/agents/{agent}/runs", {
          params: { path: { agent: agent.name } },
          body: { input: value, mode: "background" },
        }),
      );
      // The route answers an event stream only to `mode: "stream"`.
      if (typeof started === "string") throw new Error("Expected the run, got an event stream");
      return started;
    },
    onSuccess: (r) => navigate(`/runs/${r.id}`),
  });
  return (
    <form
      className="card"
      aria-labelledby="run-title"
      onSubmit={(e) => {
        e.preventDefault();
        try {
          setParseError(undefined);
          run.mutate(JSON.parse(input));
        } catch {
          setParseError("The input must be JSON (a string needs quotes)");
        }
      }}
    >
      <h2 id="run-title">Run</h2>
      <label>
        Input (JSON)
        <textarea value={input} onChange={(e) => setInput(e.target.value)} rows={3} />
      </label>
      {parseError ? (
        <p role="alert" className="error">
          {parseError}
        </p>
      ) : null}
      <ErrorNote error={run.error} />
      <button type="submit" disabled={run.isPending}>
        Start run
      </button>
    </form>
  );
}

function EditAgent({ session, agent, onSaved }: { session: Session; agent: Agent; onSaved: () => void }) {
  const schema = useConfigSchema(session, agent.template.name, agent.template.version);
  const initial = { name: agent.name, description: agent.description ?? "", config: agent.config };
  const [value, setValue] = useState<AgentFormValue>(initial);
  const save = useMutation({
    mutationFn: async (v: AgentFormValue) =>
      unwrap(
        await session.api.PATCH("/v1/agents/{agent}", {
          params: { path: { agent: agent.id } },
          body: { name: v.name ?? agent.name, description: v.description || null, config: v.config ?? {} },
        }),
      ),
    onSuccess: (saved) => {
      onSaved();
      if (saved.name !== agent.name) navigate(`/agents/${encodeURIComponent(saved.name)}`);
    },
  });
  return (
    <div className="card">
      <h2>Edit</h2>
      <ErrorNote error={schema.error ?? save.error} />
      {schema.data ? (
        <AgentForm
          key={agent.revision}
          schema={agentFormSchema(schema.data, true)}
          value={value}
          error={save.error}
          submitLabel="Save agent"
          disabled={save.isPending}
          onChange={setValue}
          onSubmit={(v) => save.mutate(v)}
        />
      ) : (
        <Loading what="config schema" />
      )}
    </div>
  );
}

function Upgrade({ session, agent, onDone }: { session: Session; agent: Agent; onDone: () => void }) {
  const [to, setTo] = useState("*");
  const call = async (dryRun: boolean) =>
    unwrap(
      await session.api.POST("/v1/agents/{agent}/upgrade", {
        params: { path: { agent: agent.id } },
        body: { to, dryRun },
      }),
    );
  const preview = useMutation({ mutationFn: () => call(true) });
  const apply = useMutation({ mutationFn: () => call(false), onSuccess: onDone });
  const p = preview.data;
  return (
    <form
      className="card"
      aria-labelledby="upgrade-title"
      onSubmit={(e) => {
        e.preventDefault();
        preview.mutate();
      }}
    >
      <h2 id="upgrade-title">Upgrade</h2>
      <label>
        Target version or range
        <input value={to} onChange={(e) => setTo(e.target.value)} />
      </label>
      <button type="submit" disabled={preview.isPending}>
        Preview upgrade
      </button>
      <ErrorNote error={preview.error ?? apply.error} />
      {p ? (
        <div aria-live="polite" data-testid="upgrade-preview">
          <p>
            {p.from} → {p.to}; migrations applied: {p.appliedMigrations.join(", ") || "none"};{" "}
            {p.valid ? "the migrated config is valid" : "the migrated config is not valid"}
          </p>
          <Json value={p.config} label="Migrated config" />
          {p.errors?.length ? (
            <ul className="error">
              {p.errors.map((e) => (
                <li key={e.path.join(".")}>
                  {e.path.join(".")}: {e.message}
                </li>
              ))}
            </ul>
          ) : null}
          <button type="button" onClick={() => apply.mutate()} disabled={!p.valid || apply.isPending}>
            Confirm upgrade to {p.to}
          </button>
        </div>
      ) : null}
      {apply.data ? <p role="status">Upgraded to {apply.data.to}.</p> : null}
    </form>
  );
}

function Revisions({ session, agent }: { session: Session; agent: Agent }) {
  const revisions = useQuery({
    queryKey: ["revisions", agent.id, agent.revision],
    queryFn: async () =>
      unwrap(
        await session.api.GET("/v1/agents/{agent}/revisions", {
          params: { path: { agent: agent.id }, query: { limit: 200 } },
        }),
      ),
  });
  const list = revisions.data?.data ?? [];
  const [left, setLeft] = useState<number>();
  const [right, setRight] = useState<number>();
  const a = list.find((r) => r.revision === (left ?? list.at(-1)?.revision));
  const b = list.find((r) => r.revision === (right ?? list[0]?.revision));
  const changes =
    a && b ? diff({ v: a.templateVersion, ...a.config }, { v: b.templateVersion, ...b.config }) : [];
  const pick = (label: string, value: number | undefined, set: (n: number) => void) => (
    <label>
      {label}
      <select value={value} onChange={(e) => set(Number(e.target.value))}>
        {list.map((r) => (
          <option key={r.revision} value={r.revision}>
            {r.revision} ({r.templateVersion}, {when(r.createdAt)})
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <div className="card">
      <h2>Revisions</h2>
      <ErrorNote error={revisions.error} />
      <div className="filters">
        {pick("From revision", a?.revision, setLeft)}
        {pick("To revision", b?.revision, setRight)}
      </div>
      {changes.length === 0 ? (
        <p>No differences.</p>
      ) : (
        <ul className="diff" aria-label="Differences">
          {changes.map((c) => {
            const at = c.path.join(".").replace(/^v$/, "template version");
            return (
              <li key={`${c.type}:${at}`} className={c.type}>
                <code>{at}</code>{" "}
                {c.type === "CREATE"
                  ? `added ${JSON.stringify(c.value)}`
                  : c.type === "REMOVE"
                    ? `removed ${JSON.stringify(c.oldValue)}`
                    : `${JSON.stringify(c.oldValue)} → ${JSON.stringify(c.value)}`}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
