import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ErrorNote, Loading, Page, when } from "../components.js";
import { fieldErrors, unwrap } from "../lib/problem.js";
import type { Session } from "../lib/session.js";

export function SchedulesPage({ session }: { session: Session }) {
  const queryClient = useQueryClient();
  const schedules = useQuery({
    queryKey: ["schedules"],
    queryFn: async () =>
      unwrap(await session.api.GET("/v1/schedules", { params: { query: { limit: 200 } } })),
  });
  const [form, setForm] = useState({ agent: "", cron: "0 * * * *", timezone: "UTC", input: "" });
  const create = useMutation({
    mutationFn: async () =>
      unwrap(
        await session.api.POST("/v1/schedules", {
          body: {
            agent: form.agent,
            cron: form.cron,
            timezone: form.timezone,
            ...(form.input ? { input: JSON.parse(form.input) } : {}),
          },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["schedules"] }),
  });
  const remove = useMutation({
    mutationFn: async (id: string) =>
      unwrap(await session.api.DELETE("/v1/schedules/{id}", { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["schedules"] }),
  });
  const errors = fieldErrors(create.error);
  const field = (name: keyof typeof form, label: string) => (
    <label>
      {label}
      <input
        value={form[name]}
        aria-invalid={errors[name] ? true : undefined}
        aria-describedby={errors[name] ? `schedule-${name}-error` : undefined}
        onChange={(e) => setForm({ ...form, [name]: e.target.value })}
      />
      {errors[name] ? (
        <span id={`schedule-${name}-error`} className="error">
          {errors[name].join("; ")}
        </span>
      ) : null}
    </label>
  );
  return (
    <Page title="Schedules">
      <ErrorNote error={schedules.error ?? remove.error} />
      {schedules.isPending ? (
        <Loading what="schedules" />
      ) : (
        <table>
          <caption className="sr-only">Schedules</caption>
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col">Cron</th>
              <th scope="col">Next run</th>
              <th scope="col">Last run</th>
              {session.can.admin ? <th scope="col">Actions</th> : null}
            </tr>
          </thead>
          <tbody>
            {schedules.data?.data.map((s) => (
              <tr key={s.id}>
                <td>{s.agentId}</td>
                <td>
                  <code>{s.cron}</code> ({s.timezone}){s.enabled ? "" : " disabled"}
                </td>
                <td>{when(s.nextRunAt)}</td>
                <td>{when(s.lastRunAt)}</td>
                {session.can.admin ? (
                  <td>
                    <button type="button" onClick={() => remove.mutate(s.id)}>
                      Delete schedule {s.id}
                    </button>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {session.can.admin ? (
        <form
          className="card"
          aria-labelledby="new-schedule"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <h2 id="new-schedule">New schedule</h2>
          {field("agent", "Agent (name or id)")}
          {field("cron", "Cron")}
          {field("timezone", "Time zone")}
          {field("input", "Input (JSON, optional)")}
          <ErrorNote error={create.error} />
          <button type="submit" disabled={create.isPending}>
            Create schedule
          </button>
        </form>
      ) : null}
    </Page>
  );
}
