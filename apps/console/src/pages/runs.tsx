import { type RunEvent, runEvents } from "@agentrt/client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ErrorNote, Json, Link, Loading, Page, when } from "../components.js";
import { describeError, unwrap } from "../lib/problem.js";
import type { Session } from "../lib/session.js";

const STATUSES = ["queued", "running", "succeeded", "failed", "cancelled", "timed_out"] as const;
type Status = (typeof STATUSES)[number];

export function RunsPage({ session }: { session: Session }) {
  const [status, setStatus] = useState<Status | "">("");
  const runs = useQuery({
    queryKey: ["runs", status],
    refetchInterval: 5000,
    queryFn: async () =>
      unwrap(
        await session.api.GET("/v1/runs", {
          params: { query: { limit: 100, ...(status ? { status } : {}) } },
        }),
      ),
  });
  return (
    <Page title="Runs">
      <div className="filters">
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value as Status | "")}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNote error={runs.error} />
      {runs.isPending ? (
        <Loading what="runs" />
      ) : (
        <table>
          <caption className="sr-only">Runs</caption>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Agent</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {runs.data?.data.map((r) => (
              <tr key={r.id}>
                <td>
                  <Link to={`/runs/${r.id}`}>{r.id}</Link>
                </td>
                <td>{r.agentId}</td>
                <td className={`status ${r.status}`}>{r.status}</td>
                <td>{when(r.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

/** An event with when this page received it: events carry no time, so the timeline shows arrival. */
type TimedEvent = RunEvent & { receivedAt: number };

interface Stream {
  events: TimedEvent[];
  state: "connecting" | "live" | "finished" | "failed";
  error?: string;
}

/**
 * Follows the run's event stream; `runEvents` resumes a dropped connection with Last-Event-ID, and
 * a new follow after an error starts after the last event already shown.
 */
function useRunEvents(session: Session, runId: string, attempt: number): Stream {
  const [stream, setStream] = useState<Stream>({ events: [], state: "connecting" });
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new `attempt` (Reconnect) follows again
  useEffect(() => {
    const abort = new AbortController();
    let last: number | undefined;
    setStream((s) => {
      last = s.events.at(-1)?.id;
      return { ...s, state: "connecting" };
    });
    (async () => {
      try {
        for await (const event of runEvents({
          baseUrl: "",
          apiKey: session.apiKey,
          runId,
          signal: abort.signal,
          ...(last !== undefined ? { lastEventId: last } : {}),
        })) {
          const timed = { ...event, receivedAt: performance.now() };
          setStream((s) => ({
            events: [...s.events, timed],
            state: event.type === "run.finished" ? "finished" : "live",
          }));
        }
      } catch (error) {
        if (!abort.signal.aborted) setStream((s) => ({ ...s, state: "failed", error: describeError(error) }));
      }
    })();
    return () => abort.abort();
  }, [session, runId, attempt]);
  return stream;
}

/** A step event's id, and for a finished step its status and time since it started (as received). */
function StepNote({ event, events }: { event: TimedEvent; events: TimedEvent[] }) {
  const { stepId, status } = event.data as { stepId: string; status?: string };
  const started = events.find((e) => e.type === "step.started" && e.data?.stepId === stepId);
  const took =
    event.type === "step.finished" && started ? Math.round(event.receivedAt - started.receivedAt) : undefined;
  return (
    <span className="step">
      {" "}
      <code>{stepId}</code>
      {status ? ` ${status}` : ""}
      {took !== undefined ? ` in ${took} ms` : ""}
    </span>
  );
}

export function RunPage({ session, id }: { session: Session; id: string }) {
  const queryClient = useQueryClient();
  const [attempt, setAttempt] = useState(0);
  const stream = useRunEvents(session, id, attempt);
  const finished = stream.state === "finished";
  const run = useQuery({
    queryKey: ["run", id, finished],
    queryFn: async () => unwrap(await session.api.GET("/v1/runs/{id}", { params: { path: { id } } })),
  });
  const cancel = useMutation({
    mutationFn: async () =>
      unwrap(await session.api.POST("/v1/runs/{id}/cancel", { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["run", id] }),
  });
  const progress = [...stream.events].reverse().find((e) => e.type === "progress")?.data as
    | { done?: number; total?: number }
    | undefined;
  const t0 = stream.events[0]?.receivedAt ?? 0;
  const r = run.data;
  const finishedEvent = stream.events.find((e) => e.type === "run.finished")?.data;
  return (
    <Page
      title={`Run ${id}`}
      actions={
        session.can.invoke && !finished ? (
          <button type="button" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
            Cancel run
          </button>
        ) : null
      }
    >
      <ErrorNote error={run.error ?? cancel.error} />
      <p role="status" data-testid="stream-state">
        Stream: {stream.state}
        {finishedEvent?.status ? ` — ${finishedEvent.status}` : ""}
      </p>
      {stream.state === "failed" ? (
        <p className="error">
          {stream.error}{" "}
          <button type="button" onClick={() => setAttempt((n) => n + 1)}>
            Reconnect
          </button>
        </p>
      ) : null}
      {progress?.total ? (
        <label>
          Progress
          <progress value={progress.done ?? 0} max={progress.total} />
        </label>
      ) : null}
      {r ? (
        <dl className="facts">
          <dt>Agent</dt>
          <dd>
            {r.agentId} (revision {r.agentRevision})
          </dd>
          <dt>Status</dt>
          <dd className={`status ${r.status}`}>{r.status}</dd>
          <dt>Started</dt>
          <dd>{when(r.startedAt)}</dd>
          <dt>Finished</dt>
          <dd>{when(r.finishedAt)}</dd>
        </dl>
      ) : null}
      <h2>Timeline</h2>
      <ol className="timeline" aria-label="Run events">
        {stream.events.map((e) => {
          return (
            <li key={e.id} className={e.type.replace(/\W/g, "-")}>
              <span className="seq">#{e.id}</span> <strong>{e.type}</strong>
              <span className="offset"> +{Math.round(e.receivedAt - t0)} ms</span>
              {e.data?.stepId ? <StepNote event={e} events={stream.events} /> : null}
              {e.type === "error" || e.data?.error ? (
                <span className="error">
                  {" "}
                  {e.data.error?.code ?? e.data.code}: {e.data.error?.message ?? e.data.message}
                </span>
              ) : null}
            </li>
          );
        })}
      </ol>
      {r?.output != null ? (
        <>
          <h2>Output</h2>
          <Json value={r.output} label="Output" />
        </>
      ) : null}
      {r?.error ? (
        <>
          <h2>Error</h2>
          <p className="error">
            <code>{r.error.code}</code> {r.error.message}
          </p>
        </>
      ) : null}
      {!r && run.isPending ? <Loading what="run" /> : null}
    </Page>
  );
}
