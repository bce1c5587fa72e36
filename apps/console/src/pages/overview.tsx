import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { ErrorNote, Loading, ms, Page, pct } from "../components.js";
import { unwrap } from "../lib/problem.js";
import type { Session } from "../lib/session.js";
import { groupBy, type RunStats, runStats, runsPerMinute } from "../lib/stats.js";

const MINUTES = 30;

function RunsChart({ data }: { data: [number[], number[]] }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const plot = new uPlot(
      {
        width: Math.min(800, el.current.clientWidth || 800),
        height: 200,
        series: [{}, { label: "runs/min", stroke: "#2563eb", fill: "rgba(37,99,235,0.15)" }],
        axes: [{}, { label: "runs" }],
      },
      data,
      el.current,
    );
    return () => plot.destroy();
  }, [data]);
  return <div ref={el} role="img" aria-label={`Runs per minute over the last ${MINUTES} minutes`} />;
}

function StatsRow({ name, stats }: { name: string; stats: RunStats }) {
  return (
    <tr>
      <td>{name}</td>
      <td>{stats.runs}</td>
      <td>{pct(stats.errorRate)}</td>
      <td>{ms(stats.p50)}</td>
      <td>{ms(stats.p95)}</td>
    </tr>
  );
}

/**
 * Figures from the latest stored runs: runs per minute, error rate and start-to-finish latency,
 * overall and per agent. (An agent's page shows the server's last hour, completions included.)
 */
export function OverviewPage({ session }: { session: Session }) {
  const runs = useQuery({
    queryKey: ["runs", "overview"],
    refetchInterval: 10_000,
    queryFn: async () => unwrap(await session.api.GET("/v1/runs", { params: { query: { limit: 200 } } })),
  });
  const agents = useQuery({
    queryKey: ["agents", "all"],
    queryFn: async () => unwrap(await session.api.GET("/v1/agents", { params: { query: { limit: 200 } } })),
  });
  const list = useMemo(() => runs.data?.data ?? [], [runs.data]);
  const perMinute = useMemo(() => runsPerMinute(list, Date.now(), MINUTES), [list]);
  if (runs.isPending) return <Loading what="runs" />;
  const total = runStats(list);
  const names = new Map(agents.data?.data.map((a) => [a.id, a]) ?? []);
  const byAgent = groupBy(list, (r) => names.get(r.agentId)?.name ?? r.agentId);
  const byTemplate = groupBy(list, (r) => names.get(r.agentId)?.template.name ?? "unknown");
  return (
    <Page title="Overview">
      <ErrorNote error={runs.error ?? agents.error} />
      <p>From the latest {list.length} runs.</p>
      <dl className="tiles">
        <div>
          <dt>Error rate</dt>
          <dd>{pct(total.errorRate)}</dd>
        </div>
        <div>
          <dt>p50 latency</dt>
          <dd>{ms(total.p50)}</dd>
        </div>
        <div>
          <dt>p95 latency</dt>
          <dd>{ms(total.p95)}</dd>
        </div>
      </dl>
      <RunsChart data={perMinute} />
      {[
        ["agent", byAgent],
        ["template", byTemplate],
      ].map(([label, groups]) => (
        <table key={label as string}>
          <caption>By {label as string}</caption>
          <thead>
            <tr>
              <th scope="col">{label as string}</th>
              <th scope="col">Runs</th>
              <th scope="col">Error rate</th>
              <th scope="col">p50</th>
              <th scope="col">p95</th>
            </tr>
          </thead>
          <tbody>
            {[...(groups as Map<string, typeof list>)].map(([name, group]) => (
              <StatsRow key={name} name={name} stats={runStats(group)} />
            ))}
          </tbody>
        </table>
      ))}
    </Page>
  );
}
