import { type ReactNode, useEffect, useState } from "react";
import { Link, Loading } from "./components.js";
import { match, usePath } from "./lib/router.js";
import { forgetKey, openSession, type Session, savedKey } from "./lib/session.js";
import { AgentPage } from "./pages/agent-detail.js";
import { AgentsPage, NewAgentPage } from "./pages/agents.js";
import { ApiKeysPage } from "./pages/api-keys.js";
import { OverviewPage } from "./pages/overview.js";
import { PlaygroundPage } from "./pages/playground.js";
import { RunPage, RunsPage } from "./pages/runs.js";
import { SchedulesPage } from "./pages/schedules.js";
import { SignIn } from "./pages/sign-in.js";
import { TemplatesPage } from "./pages/templates.js";

const NAV = [
  ["/", "Overview"],
  ["/agents", "Agents"],
  ["/runs", "Runs"],
  ["/playground", "Playground"],
  ["/templates", "Templates"],
  ["/schedules", "Schedules"],
  ["/api-keys", "API keys"],
] as const;

type Params = Record<string, string>;

/** Each console path and its page; the first pattern that matches wins. */
const ROUTES: [string, (session: Session, p: Params) => ReactNode][] = [
  ["/", (s) => <OverviewPage session={s} />],
  ["/agents", (s) => <AgentsPage session={s} />],
  ["/agents/new", (s) => <NewAgentPage session={s} />],
  ["/agents/:name", (s, p) => <AgentPage key={p.name} session={s} name={p.name!} />],
  ["/runs", (s) => <RunsPage session={s} />],
  ["/runs/:id", (s, p) => <RunPage key={p.id} session={s} id={p.id!} />],
  ["/playground", (s) => <PlaygroundPage session={s} />],
  ["/playground/:agent", (s, p) => <PlaygroundPage session={s} agent={p.agent!} />],
  [
    "/playground/:agent/:thread",
    (s, p) => <PlaygroundPage session={s} agent={p.agent!} thread={p.thread!} />,
  ],
  ["/templates", (s) => <TemplatesPage session={s} />],
  ["/schedules", (s) => <SchedulesPage session={s} />],
  ["/api-keys", (s) => <ApiKeysPage session={s} />],
];

function Route({ session, path }: { session: Session; path: string }) {
  for (const [pattern, render] of ROUTES) {
    const params = match(pattern, path === "" ? "/" : path);
    if (params) return render(session, params);
  }
  return (
    <p>
      Nothing here. <Link to="/">Back to the overview</Link>
    </p>
  );
}

export function App() {
  const path = usePath();
  const [session, setSession] = useState<Session | null>();
  useEffect(() => {
    const key = savedKey();
    if (!key) return setSession(null);
    openSession(key).then(setSession, () => {
      forgetKey();
      setSession(null);
    });
  }, []);
  if (session === undefined) return <Loading what="session" />;
  if (session === null) return <SignIn onSignedIn={setSession} />;
  const section = `/${path.split("/")[1] ?? ""}`;
  return (
    <div className="layout">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <nav aria-label="Console">
        <p className="brand">agentrt</p>
        <ul>
          {NAV.map(([to, label]) => (
            <li key={to} aria-current={section === to ? "page" : undefined}>
              <Link to={to}>{label}</Link>
            </li>
          ))}
        </ul>
        <p className="scopes">Key: {session.can.admin ? "admin" : session.can.invoke ? "invoke" : "read"}</p>
        <button
          type="button"
          onClick={() => {
            forgetKey();
            setSession(null);
          }}
        >
          Sign out
        </button>
      </nav>
      <main id="main">
        <Route session={session} path={path} />
      </main>
    </div>
  );
}
